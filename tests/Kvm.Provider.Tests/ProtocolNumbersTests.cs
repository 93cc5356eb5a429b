using Google.Protobuf.Reflection;
using Pulumirpc;

namespace Kvm.Provider.Tests;

/// <summary>
/// The engine depends on names and field numbers, not on our .proto text: every one PROTOCOL.md
/// lists is checked against the compiled descriptors.
/// </summary>
public class ProtocolNumbersTests
{
    public static TheoryData<string, string, int> Fields => new()
    {
        { "PluginInfo", "version", 1 },
        { "PluginAttach", "address", 1 },
        { "GetSchemaRequest", "version", 1 }, { "GetSchemaRequest", "subpackage_name", 2 }, { "GetSchemaRequest", "subpackage_version", 3 },
        { "GetSchemaResponse", "schema", 1 },
        { "ConfigureRequest", "variables", 1 }, { "ConfigureRequest", "args", 2 }, { "ConfigureRequest", "acceptSecrets", 3 },
        { "ConfigureRequest", "acceptResources", 4 }, { "ConfigureRequest", "sends_old_inputs", 5 }, { "ConfigureRequest", "sends_old_inputs_to_delete", 6 },
        { "ConfigureResponse", "acceptSecrets", 1 }, { "ConfigureResponse", "supportsPreview", 2 }, { "ConfigureResponse", "acceptResources", 3 },
        { "ConfigureResponse", "acceptOutputs", 4 }, { "ConfigureResponse", "supports_autonaming_configuration", 5 },
        { "ConfigureErrorMissingKeys", "missingKeys", 1 },
        { "CheckRequest", "urn", 1 }, { "CheckRequest", "olds", 2 }, { "CheckRequest", "news", 3 }, { "CheckRequest", "randomSeed", 5 },
        { "CheckRequest", "name", 6 }, { "CheckRequest", "type", 7 },
        { "CheckResponse", "inputs", 1 }, { "CheckResponse", "failures", 2 },
        { "CheckFailure", "property", 1 }, { "CheckFailure", "reason", 2 },
        { "DiffRequest", "id", 1 }, { "DiffRequest", "urn", 2 }, { "DiffRequest", "olds", 3 }, { "DiffRequest", "news", 4 },
        { "DiffRequest", "ignoreChanges", 5 }, { "DiffRequest", "old_inputs", 6 }, { "DiffRequest", "name", 7 }, { "DiffRequest", "type", 8 },
        { "PropertyDiff", "kind", 1 }, { "PropertyDiff", "inputDiff", 2 },
        { "DiffResponse", "replaces", 1 }, { "DiffResponse", "stables", 2 }, { "DiffResponse", "deleteBeforeReplace", 3 },
        { "DiffResponse", "changes", 4 }, { "DiffResponse", "diffs", 5 }, { "DiffResponse", "detailedDiff", 6 }, { "DiffResponse", "hasDetailedDiff", 7 },
        { "CreateRequest", "urn", 1 }, { "CreateRequest", "properties", 2 }, { "CreateRequest", "timeout", 3 }, { "CreateRequest", "preview", 4 },
        { "CreateRequest", "name", 5 }, { "CreateRequest", "type", 6 },
        { "CreateResponse", "id", 1 }, { "CreateResponse", "properties", 2 },
        { "ReadRequest", "id", 1 }, { "ReadRequest", "urn", 2 }, { "ReadRequest", "properties", 3 }, { "ReadRequest", "inputs", 4 },
        { "ReadRequest", "name", 5 }, { "ReadRequest", "type", 6 },
        { "ReadResponse", "id", 1 }, { "ReadResponse", "properties", 2 }, { "ReadResponse", "inputs", 3 },
        { "UpdateRequest", "id", 1 }, { "UpdateRequest", "urn", 2 }, { "UpdateRequest", "olds", 3 }, { "UpdateRequest", "news", 4 },
        { "UpdateRequest", "timeout", 5 }, { "UpdateRequest", "ignoreChanges", 6 }, { "UpdateRequest", "preview", 7 },
        { "UpdateRequest", "old_inputs", 8 }, { "UpdateRequest", "name", 9 }, { "UpdateRequest", "type", 10 },
        { "UpdateResponse", "properties", 1 },
        { "DeleteRequest", "id", 1 }, { "DeleteRequest", "urn", 2 }, { "DeleteRequest", "properties", 3 }, { "DeleteRequest", "timeout", 4 },
        { "DeleteRequest", "old_inputs", 5 }, { "DeleteRequest", "name", 6 }, { "DeleteRequest", "type", 7 },
        { "InvokeRequest", "tok", 1 }, { "InvokeRequest", "args", 2 }, { "InvokeRequest", "preview", 7 },
        { "InvokeResponse", "return", 1 }, { "InvokeResponse", "failures", 2 },
        { "ErrorResourceInitFailed", "id", 1 }, { "ErrorResourceInitFailed", "properties", 2 }, { "ErrorResourceInitFailed", "reasons", 3 },
        { "ErrorResourceInitFailed", "inputs", 4 },
        { "LogRequest", "severity", 1 }, { "LogRequest", "message", 2 }, { "LogRequest", "urn", 3 }, { "LogRequest", "streamId", 4 }, { "LogRequest", "ephemeral", 5 },
    };

    private static readonly FileDescriptor[] Files = [ProviderReflection.Descriptor, PluginReflection.Descriptor, EngineReflection.Descriptor];

    private static MessageDescriptor Message(string name) =>
        Files.SelectMany(f => f.MessageTypes.Concat(f.MessageTypes.SelectMany(m => m.NestedTypes)))
            .Single(m => m.Name == name && (m.File.Package == "pulumirpc"));

    [Theory]
    [MemberData(nameof(Fields))]
    public void Field_numbers_match_the_engine(string message, string field, int number)
    {
        var f = Message(message).FindFieldByName(field);
        Assert.NotNull(f);
        Assert.Equal(number, f.FieldNumber);
    }

    [Fact]
    public void Service_and_rpc_names_match_the_engine()
    {
        var service = ProviderReflection.Descriptor.Services.Single();
        Assert.Equal("pulumirpc.ResourceProvider", service.FullName);
        Assert.Equal(
            ["Attach", "Cancel", "Check", "CheckConfig", "Configure", "Create", "Delete", "Diff", "DiffConfig", "GetPluginInfo", "GetSchema", "Invoke", "Read", "Update"],
            service.Methods.Select(m => m.Name).Order(StringComparer.Ordinal));
        Assert.Equal("pulumirpc.Engine", EngineReflection.Descriptor.Services.Single().FullName);
    }

    [Fact]
    public void Enum_values_match_the_engine()
    {
        Assert.Equal(5, (int)PropertyDiff.Types.Kind.UpdateReplace);
        Assert.Equal(2, (int)DiffResponse.Types.DiffChanges.DiffSome);
        Assert.Equal(2, (int)LogSeverity.Warning);
    }
}
