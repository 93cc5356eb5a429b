// Compile-time reference of the real Pulumi .NET SDK (package "Pulumi" 3.x): public signatures
// only, no behaviour. See README.md. Never ship or run.
using System;

namespace Pulumi
{
    [AttributeUsage(AttributeTargets.Property)]
    public sealed class OutputAttribute : Attribute
    {
        public OutputAttribute(string? name = null) => throw null!;
        public string? Name => throw null!;
    }

    [AttributeUsage(AttributeTargets.Field | AttributeTargets.Property)]
    public sealed class InputAttribute : Attribute
    {
        public InputAttribute(string name, bool required = false, bool json = false) => throw null!;
    }

    [AttributeUsage(AttributeTargets.Class)]
    public sealed class OutputTypeAttribute : Attribute
    {
    }

    [AttributeUsage(AttributeTargets.Constructor)]
    public sealed class OutputConstructorAttribute : Attribute
    {
    }

    [AttributeUsage(AttributeTargets.Class)]
    public class ResourceTypeAttribute : Attribute
    {
        public ResourceTypeAttribute(string type, string? version) => throw null!;
        public string Type => throw null!;
        public string? Version => throw null!;
    }
}
