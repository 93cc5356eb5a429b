using System.Collections.Concurrent;
using Google.Protobuf.WellKnownTypes;
using Kvm.Libvirt;
using Kvm.Provider.Diagnostics;
using Kvm.Provider.Host;
using Kvm.Provider.Resources;
using Kvm.Provider.Resources.Networks;
using Kvm.Provider.Values;
using Moq;
using LogSeverity = Pulumirpc.LogSeverity;

namespace Kvm.Provider.Tests.Networks;

/// <summary>
/// The LibvirtNetwork resource in-process, over any ILibvirt (a Moq mock or libvirt's test
/// driver), driven the way the RPC layer drives it.
/// </summary>
internal sealed class NetworkHarness : IDisposable
{
    public const string Urn = "urn:pulumi:dev::lab::kvm:index:LibvirtNetwork::net";

    public CapturingLog Log { get; } = new();
    public ProviderHost Host { get; }
    public IResource Resource { get; }

    public NetworkHarness(ILibvirt libvirt)
    {
        var connections = new Mock<IHostConnections>(MockBehavior.Strict);
        connections.Setup(c => c.Libvirt).Returns(libvirt);
        connections.Setup(c => c.Dispose());
        Host = new ProviderHost(Log, _ => connections.Object);
        Resource = new LibvirtNetworkResource(Host);
    }

    /// <summary>A host whose connections throw on any use: proof that nothing reached libvirt.</summary>
    public static NetworkHarness Untouchable() => new(new Mock<ILibvirt>(MockBehavior.Strict).Object);

    public static ObjectValue Obj(string json) => StructCodec.Decode(Struct.Parser.ParseJson(json));

    public Task<CheckResult> CheckAsync(string json) =>
        Resource.CheckAsync(new CheckRequest(Urn, "net", ObjectValue.Empty, Obj(json)), CancellationToken.None);

    /// <summary>Check, failing the test if it refused the inputs.</summary>
    public async Task<ObjectValue> CheckedAsync(string json)
    {
        var r = await CheckAsync(json);
        Assert.True(r.Failures.IsEmpty, string.Join("; ", r.Failures));
        return r.Inputs;
    }

    public Task<DiffResult> DiffAsync(string id, ObjectValue oldState, ObjectValue news, ObjectValue oldInputs, params string[] ignore) =>
        Resource.DiffAsync(new DiffRequest(id, Urn, oldState, news, oldInputs, [.. ignore]), CancellationToken.None);

    public Task<CreateResult> CreateAsync(ObjectValue inputs, bool preview = false) =>
        Resource.CreateAsync(new CreateRequest(Urn, "net", inputs, preview, null), CancellationToken.None);

    public Task<ReadResult> ReadAsync(string id, ObjectValue? state = null, ObjectValue? inputs = null) =>
        Resource.ReadAsync(new ReadRequest(id, Urn, state ?? ObjectValue.Empty, inputs ?? ObjectValue.Empty), CancellationToken.None);

    public Task<ObjectValue> UpdateAsync(string id, ObjectValue oldState, ObjectValue news, ObjectValue oldInputs, bool preview = false) =>
        Resource.UpdateAsync(new UpdateRequest(id, Urn, oldState, news, oldInputs, preview, [], null), CancellationToken.None);

    public Task DeleteAsync(string id, ObjectValue state, ObjectValue? oldInputs = null) =>
        Resource.DeleteAsync(new DeleteRequest(id, Urn, state, oldInputs ?? ObjectValue.Empty, null), CancellationToken.None);

    public void Dispose() => Host.Dispose();
}

/// <summary>A private host of libvirt's test driver (test:///default is shared by the whole process).</summary>
internal sealed class TestDriverHost : IDisposable
{
    private readonly string _file;

    public LibvirtConnection Connection { get; }

    public TestDriverHost(string nodeXml = EmptyNode)
    {
        _file = Path.Combine(Path.GetTempPath(), $"kvm-network-tests-{Guid.NewGuid():N}.xml");
        File.WriteAllText(_file, nodeXml);
        Connection = LibvirtConnection.Open("test://" + _file);
    }

    /// <summary>A host with one running guest whose NIC is on the network "lan" (and one on bridge "br-lan").</summary>
    public const string EmptyNode = """
        <node>
          <domain type="test">
            <name>guest1</name>
            <uuid>6695eb01-f6a4-8304-79aa-97f2502e1940</uuid>
            <memory unit="KiB">65536</memory>
            <vcpu>1</vcpu>
            <os><type arch="x86_64">hvm</type></os>
            <devices>
              <interface type="network"><mac address="52:54:00:00:00:01"/><source network="lan"/></interface>
            </devices>
          </domain>
        </node>
        """;

    public void Dispose()
    {
        Connection.Dispose();
        File.Delete(_file);
    }
}
