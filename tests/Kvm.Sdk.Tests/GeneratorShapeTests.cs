using System.Text;
using Kvm.SdkGen;

namespace Kvm.Sdk.Tests;

/// <summary>
/// The generated C# has the shape Pulumi's dotnet codegen emits, feature by feature, on the
/// sample schema (testdata/sample-schema.json). The golden-file test pins every byte; these
/// tests say which lines matter and why.
/// </summary>
public class GeneratorShapeTests
{
    private static void Has(string file, string expected)
    {
        var text = Sample.Text(file);
        Assert.True(text.Contains(expected, StringComparison.Ordinal), $"{file} lacks:\n{expected}\n---- {file}:\n{text}");
    }

    private static void Lacks(string file, string unexpected) =>
        Assert.False(Sample.Text(file).Contains(unexpected, StringComparison.Ordinal), $"{file} should not contain: {unexpected}");

    [Fact]
    public void Files_follow_pulumis_layout()
    {
        Assert.Equal(
        [
            "Bridge.cs", "Config/Config.cs", "Domain.cs", "HostInfo.cs",
            "Inputs/CloudInitArgs.cs", "Inputs/DiskArgs.cs", "Inputs/ForwardArgs.cs", "Inputs/InterfaceArgs.cs", "Inputs/InterfaceGetArgs.cs",
            "Inputs/VlanArgs.cs", "Inputs/VlanGetArgs.cs",
            "Network.cs",
            "Outputs/CloudInit.cs", "Outputs/Disk.cs", "Outputs/Forward.cs", "Outputs/Interface.cs", "Outputs/Vlan.cs",
            "Provider.cs", "Pulumi.Sample.csproj", "README.md", "Utilities.cs", "logo.png", "pulumi-plugin.json", "version.txt",
        ], Sample.Generated.Sdk.Keys);
    }

    [Fact]
    public void Resource_class_outputs_constructor_get_and_options()
    {
        Has("Bridge.cs", "namespace Pulumi.Sample\n{");
        Has("Bridge.cs", "    [SampleResourceType(\"sample:index:Bridge\")]\n    public partial class Bridge : global::Pulumi.CustomResource\n");
        Has("Bridge.cs", "        [Output(\"mtu\")]\n        public Output<int> Mtu { get; private set; } = null!;\n");
        Has("Bridge.cs", "        [Output(\"mac\")]\n        public Output<string?> Mac { get; private set; } = null!;\n");
        Has("Bridge.cs", "        public Output<ImmutableArray<string>> Ports { get; private set; } = null!;\n");
        Has("Bridge.cs", "        public Bridge(string name, BridgeArgs args, CustomResourceOptions? options = null)\n"
            + "            : base(\"sample:index:Bridge\", name, args ?? new BridgeArgs(), MakeResourceOptions(options, \"\"))\n");
        Has("Bridge.cs", "        private Bridge(string name, Input<string> id, BridgeState? state = null, CustomResourceOptions? options = null)\n"
            + "            : base(\"sample:index:Bridge\", name, state, MakeResourceOptions(options, id))\n");
        Has("Bridge.cs", "        public static Bridge Get(string name, Input<string> id, BridgeState? state = null, CustomResourceOptions? options = null)\n"
            + "        {\n            return new Bridge(name, id, state, options);\n        }\n");
        Has("Bridge.cs", "                Version = Utilities.Version,\n                Aliases =\n                {\n"
            + "                    new global::Pulumi.Alias { Type = \"sample:index:OldBridge\" },\n                },\n");
        Has("Bridge.cs", "            var merged = CustomResourceOptions.Merge(defaultOptions, options);\n"
            + "            // Override the ID if one was specified for consistency with other language SDKs.\n            merged.Id = id ?? merged.Id;\n");
        Has("Bridge.cs", "    public sealed class BridgeState : global::Pulumi.ResourceArgs\n");
    }

    [Fact]
    public void Required_inputs_are_marked_and_initialised_like_pulumi_does()
    {
        Has("Domain.cs", "        [Input(\"vcpu\", required: true)]\n        public Input<int> Vcpu { get; set; } = null!;\n");
        Has("Domain.cs", "        [Input(\"name\", required: true)]\n        public Input<string> Name { get; set; } = null!;\n");
        Has("Domain.cs", "        [Input(\"memoryMib\")]\n        public Input<int>? MemoryMib { get; set; }\n");
        // Every state property is optional.
        Has("Domain.cs", "        [Input(\"vcpu\")]\n        public Input<int>? Vcpu { get; set; }\n");
    }

    [Fact]
    public void Lists_and_maps_use_a_backing_field_that_is_never_null()
    {
        Has("Bridge.cs", "        [Input(\"ports\")]\n        private InputList<string>? _ports;\n\n"
            + "        /// <summary>\n        /// Names of the enslaved interfaces.\n        /// </summary>\n"
            + "        public InputList<string> Ports\n        {\n            get => _ports ?? (_ports = new InputList<string>());\n            set => _ports = value;\n        }\n");
        Has("Domain.cs", "        [Input(\"interfaces\", required: true)]\n        private InputList<Inputs.InterfaceArgs>? _interfaces;\n");
        Has("Domain.cs", "        public InputMap<string> Metadata\n");
        Has("Network.cs", "        public InputList<ImmutableArray<int>> Params\n");
        Has("Network.cs", "        public Output<ImmutableArray<ImmutableArray<int>>> Params { get; private set; } = null!;\n");
        Has("Domain.cs", "        public Output<ImmutableDictionary<string, string>?> Metadata { get; private set; } = null!;\n");
    }

    [Fact]
    public void Secrets_are_wrapped_on_set_and_listed_as_additional_secret_outputs()
    {
        Has("Domain.cs", "            set\n            {\n                var emptySecret = Output.CreateSecret(0);\n"
            + "                _password = Output.Tuple<Input<string>?, int>(value, emptySecret).Apply(t => t.Item1);\n            }\n");
        Has("Domain.cs", "                var emptySecret = Output.CreateSecret(ImmutableArray.Create<string>());\n"
            + "                _sshKeys = Output.All(value, emptySecret).Apply(v => v[0]);\n");
        Has("Domain.cs", "                AdditionalSecretOutputs =\n                {\n                    \"password\",\n                    \"sshKeys\",\n                    \"vncPassword\",\n                },\n");
        Has("Inputs/CloudInitArgs.cs", "        [Input(\"userData\", required: true)]\n        private Input<string>? _userData;\n");
        Has("Provider.cs", "                _token = Output.Tuple<Input<string>?, int>(value, emptySecret).Apply(t => t.Item1);\n");
    }

    [Fact]
    public void Replace_on_changes_paths_look_into_nested_types_and_arrays()
    {
        Has("Domain.cs", "                ReplaceOnChanges =\n                {\n                    \"interfaces[*].type\",\n                    \"name\",\n                },\n");
        Has("Bridge.cs", "                ReplaceOnChanges =\n                {\n                    \"name\",\n                },\n");
        Lacks("Network.cs", "ReplaceOnChanges");
    }

    [Fact]
    public void Defaults_are_set_in_the_args_constructor()
    {
        Has("Bridge.cs", "        public BridgeArgs()\n        {\n            Mtu = 1500;\n            Stp = false;\n            Weight = 0.5;\n        }\n"
            + "        public static new BridgeArgs Empty => new BridgeArgs();\n");
        Has("Inputs/DiskArgs.cs", "            Bus = \"virtio\";\n");
        Has("Inputs/InterfaceGetArgs.cs", "            Model = \"virtio\";\n");
        Has("Provider.cs", "            Insecure = false;\n");
        Has("Provider.cs", "            TimeoutSeconds = 30;\n");
        // Only environment variables: set only when one is set (Pulumi's direct assignment would not compile warning-free).
        Has("Provider.cs", "            Netns = Utilities.GetEnv(\"SAMPLE_NETNS\", \"KVM_NETNS\") is { } netnsEnv ? netnsEnv : (Input<string>?)null;\n");
        Lacks("Domain.cs", "LegacyMode = ");
    }

    [Fact]
    public void Nested_types_become_args_getargs_and_output_classes()
    {
        Has("Inputs/InterfaceArgs.cs", "namespace Pulumi.Sample.Inputs\n{\n\n    /// <summary>\n    /// A guest network interface.\n    /// </summary>\n"
            + "    public sealed class InterfaceArgs : global::Pulumi.ResourceArgs\n");
        Has("Inputs/InterfaceArgs.cs", "        public Input<Inputs.VlanArgs>? Vlan { get; set; }\n");
        Has("Inputs/InterfaceGetArgs.cs", "    public sealed class InterfaceGetArgs : global::Pulumi.ResourceArgs\n");
        Has("Inputs/InterfaceGetArgs.cs", "        public Input<Inputs.VlanGetArgs>? Vlan { get; set; }\n");
        Has("Domain.cs", "        public InputList<Inputs.InterfaceGetArgs> Interfaces\n");
        Has("Outputs/Interface.cs", "namespace Pulumi.Sample.Outputs\n{\n\n    /// <summary>\n    /// A guest network interface.\n    /// </summary>\n    [OutputType]\n    public sealed class Interface\n");
        Has("Outputs/Interface.cs", "        public readonly Outputs.Vlan? Vlan;\n");
        Has("Outputs/Interface.cs", "        public readonly ImmutableDictionary<string, string>? Labels;\n");
        Has("Outputs/Vlan.cs", "        [OutputConstructor]\n        private Vlan(\n            int tag,\n\n            ImmutableArray<int> trunk)\n        {\n            Tag = tag;\n            Trunk = trunk;\n        }\n");
        Has("Domain.cs", "        public Output<ImmutableArray<Outputs.Interface>> Interfaces { get; private set; } = null!;\n");
        Has("Domain.cs", "        public Output<Outputs.CloudInit?> CloudInit { get; private set; } = null!;\n");
    }

    [Fact]
    public void Csharp_keywords_and_clashing_names_become_valid_identifiers()
    {
        Has("Outputs/Disk.cs", "            bool? @readonly)\n        {\n            Bus = bus;\n            Path = path;\n            Readonly = @readonly;\n");
        Has("Outputs/Forward.cs", "            bool? @default,\n");
        Has("Outputs/Forward.cs", "            Default = @default;\n");
        Has("Network.cs", "        [Input(\"namespace\")]\n        public Input<string>? Namespace { get; set; }\n");
        Has("Network.cs", "        [Output(\"network\")]\n        public Output<string?> NetworkValue { get; private set; } = null!;\n");
        Has("Network.cs", "        private InputList<ImmutableArray<int>>? _params;\n");
        Has("HostInfo.cs", "        [Output(\"get\")]\n        public Output<string?> GetValue { get; private set; } = null!;\n");
        Has("HostInfo.cs", "        [Input(\"get\")]\n        public Input<string>? Get { get; set; }\n");
    }

    [Fact]
    public void Args_are_optional_when_no_input_is_required_and_get_takes_state_only_with_state_inputs()
    {
        Has("HostInfo.cs", "        public HostInfo(string name, HostInfoArgs? args = null, CustomResourceOptions? options = null)\n");
        Has("Network.cs", "        private Network(string name, Input<string> id, CustomResourceOptions? options = null)\n"
            + "            : base(\"sample:index:Network\", name, null, MakeResourceOptions(options, id))\n");
        Has("Network.cs", "        public static Network Get(string name, Input<string> id, CustomResourceOptions? options = null)\n");
        Lacks("Network.cs", "NetworkState");
    }

    [Fact]
    public void Provider_and_config()
    {
        Has("Provider.cs", "    [SampleResourceType(\"pulumi:providers:sample\")]\n    public partial class Provider : global::Pulumi.ProviderResource\n");
        Has("Provider.cs", "        public Provider(string name, ProviderArgs? args = null, CustomResourceOptions? options = null)\n"
            + "            : base(\"sample\", name, args ?? new ProviderArgs(), MakeResourceOptions(options, \"\"))\n");
        Has("Provider.cs", "        [Input(\"timeoutSeconds\", json: true)]\n");
        Has("Provider.cs", "        [Input(\"uri\")]\n");
        Lacks("Provider.cs", "public static Provider Get(");
        Has("Config/Config.cs", "    public static class Config\n");
        Has("Config/Config.cs", "        private static readonly global::Pulumi.Config __config = new global::Pulumi.Config(\"sample\");\n");
        Has("Config/Config.cs", "        private static readonly __Value<int?> _timeoutSeconds = new __Value<int?>(() => __config.GetInt32(\"timeoutSeconds\") ?? 30);\n");
        Has("Config/Config.cs", "        private static readonly __Value<ImmutableArray<string>> _extraArgs = new __Value<ImmutableArray<string>>(() => __config.GetObject<ImmutableArray<string>>(\"extraArgs\"));\n");
        Has("Config/Config.cs", "__config.Get(\"netns\") ?? Utilities.GetEnv(\"SAMPLE_NETNS\", \"KVM_NETNS\")");
        Has("Config/Config.cs", "        public static bool? Insecure\n        {\n            get => _insecure.Get();\n            set => _insecure.Set(value);\n        }\n");
    }

    [Fact]
    public void Utilities_project_and_plugin_metadata()
    {
        Has("Utilities.cs", "    internal sealed class SampleResourceTypeAttribute : global::Pulumi.ResourceTypeAttribute\n");
        Has("Utilities.cs", "            using var stream = assembly.GetManifestResourceStream(\"Pulumi.Sample.version.txt\");\n");
        Has("Utilities.cs", "        public static global::Pulumi.InvokeOptions WithDefaults(this global::Pulumi.InvokeOptions? src)\n");
        Has("Pulumi.Sample.csproj", "    <TargetFramework>net6.0</TargetFramework>\n");
        Has("Pulumi.Sample.csproj", "    <Version>1.2.3</Version>\n");
        Has("Pulumi.Sample.csproj", "    <EmbeddedResource Include=\"version.txt\" />\n");
        Has("Pulumi.Sample.csproj", "    <EmbeddedResource Include=\"pulumi-plugin.json\" />\n");
        Has("Pulumi.Sample.csproj", "    <PackageReference Include=\"Pulumi\" Version=\"3.*\" />\n");
        Has("Pulumi.Sample.csproj", "    <Authors>kvm provider authors</Authors>\n");
        Assert.Equal("{\n  \"resource\": true,\n  \"name\": \"sample\",\n  \"version\": \"1.2.3\"\n}\n", Sample.Text("pulumi-plugin.json"));
        Assert.Equal("1.2.3", Sample.Text("version.txt"));
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], Sample.Generated.Sdk["logo.png"][..4]);
    }

    [Fact]
    public void Descriptions_become_escaped_xml_doc_comments_without_foreign_code_blocks()
    {
        Has("Bridge.cs", "    /// A Linux bridge &amp; its ports: the &lt;bridge&gt; element of `ip link`.\n");
        Has("Bridge.cs", "    /// ```csharp\n");
        Lacks("Bridge.cs", "python");
        Lacks("Bridge.cs", "name=\"br0\")");
        Has("Bridge.cs", "    /// Import: `pulumi import sample:index:Bridge br0 br0` (id: the bridge name)\n    /// </summary>\n");
        Has("Domain.cs", "        /// <summary>\n        /// The console password.\n        /// </summary>\n        public Input<string>? Password\n");
    }

    [Fact]
    public void Output_is_deterministic_lf_only_and_newline_terminated()
    {
        var again = Generator.Run(File.ReadAllText(Sample.SchemaPath));
        Assert.Equal(Sample.Generated.Sdk.Keys, again.Sdk.Keys);
        foreach (var (path, bytes) in Sample.Generated.Sdk) Assert.True(bytes.AsSpan().SequenceEqual(again.Sdk[path]), path);
        foreach (var (path, bytes) in Sample.Generated.Docs) Assert.True(bytes.AsSpan().SequenceEqual(again.Docs[path]), path);
        foreach (var (path, bytes) in Sample.Generated.Sdk.Concat(Sample.Generated.Docs).Where(f => !f.Key.EndsWith(".png", StringComparison.Ordinal)))
        {
            var text = Encoding.UTF8.GetString(bytes);
            Assert.DoesNotContain('\r', text);
            if (path != "version.txt") Assert.EndsWith("\n", text); // Pulumi writes version.txt without a newline
        }
    }
}
