// Compile-time reference of the real Pulumi .NET SDK (package "Pulumi" 3.x): public signatures
// only, no behaviour. See README.md. Never ship or run.
using System;
using System.Collections.Generic;

namespace Pulumi
{
    public class Resource
    {
        private protected Resource() => throw null!;

        public Output<string> Urn { get; private protected set; } = null!;
        public string GetResourceType() => throw null!;
        public string GetResourceName() => throw null!;
    }

    public class CustomResource : Resource
    {
        public CustomResource(string type, string name, ResourceArgs? args, CustomResourceOptions? options = null) => throw null!;
        public CustomResource(string type, string name, ResourceArgs? args, CustomResourceOptions? options = null, RegisterPackageRequest? registerPackageRequest = null) => throw null!;

        public Output<string> Id { get; private protected set; } = null!;
    }

    public class ProviderResource : CustomResource
    {
        public ProviderResource(string package, string name, ResourceArgs args, CustomResourceOptions? options = null)
            : base(null!, null!, null) => throw null!;
        public ProviderResource(string package, string name, ResourceArgs args, CustomResourceOptions? options = null, RegisterPackageRequest? registerPackageRequest = null)
            : base(null!, null!, null) => throw null!;
    }

    /// <summary>Declared for the signatures that mention it; its members are not mirrored (unused).</summary>
    public sealed class RegisterPackageRequest
    {
        private RegisterPackageRequest() => throw null!;
    }

    public abstract class InputArgs
    {
        protected InputArgs() => throw null!;
        private protected abstract void ValidateMember(Type memberType, string fullName);
    }

    public abstract class ResourceArgs : InputArgs
    {
        public static readonly ResourceArgs Empty = null!;
        private protected override void ValidateMember(Type memberType, string fullName) => throw null!;
    }

    public abstract partial class ResourceOptions
    {
        public Input<string>? Id { get; set; }
        public Resource? Parent { get; set; }
        public InputList<Resource> DependsOn { get => throw null!; set => throw null!; }
        public bool? Protect { get; set; }
        public List<string> IgnoreChanges { get => throw null!; set => throw null!; }
        public string? Version { get; set; }
        public ProviderResource? Provider { get; set; }
        public List<Input<Alias>> Aliases { get => throw null!; set => throw null!; }
        public string? Urn { get; set; }
        public List<string> ReplaceOnChanges { get => throw null!; set => throw null!; }
        public string? PluginDownloadURL { get; set; }
        public bool? RetainOnDelete { get; set; }
        public Resource? DeletedWith { get; set; }
    }

    public sealed class CustomResourceOptions : ResourceOptions
    {
        public bool? DeleteBeforeReplace { get; set; }
        public List<string> AdditionalSecretOutputs { get => throw null!; set => throw null!; }
        public string? ImportId { get; set; }

        public static CustomResourceOptions Merge(CustomResourceOptions? options1, CustomResourceOptions? options2) => throw null!;
    }

    public sealed class Alias
    {
        public Input<string>? Name { get; set; }
        public Input<string>? Type { get; set; }
        public Input<string>? Stack { get; set; }
        public Input<string>? Project { get; set; }
        public string? Urn { get; set; }
        public Resource? Parent { get; set; }
        public Input<string>? ParentUrn { get; set; }
        public bool NoParent { get; set; }
    }

    public class InvokeOptions
    {
        public Resource? Parent { get; set; }
        public ProviderResource? Provider { get; set; }
        public string? Version { get; set; }
        public string? PluginDownloadURL { get; set; }
    }

    public class InvokeOutputOptions : InvokeOptions
    {
        public InputList<Resource> DependsOn { get => throw null!; set => throw null!; }
    }
}
