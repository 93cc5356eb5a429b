using System.Collections.Immutable;
using System.Text.Json;
using Grpc.Core;
using Kvm.Ovsdb;
using Kvm.Provider.Diagnostics;
using Kvm.Provider.Host;
using Kvm.Provider.Resources;
using Kvm.Provider.Resources.OvsBridges;
using Kvm.Provider.Tests.Networks;
using Kvm.Provider.Values;
using Moq;
using static Kvm.Provider.Tests.OvsBridges.OvsFixtures;

namespace Kvm.Provider.Tests.OvsBridges;

/// <summary>
/// The resource over a scripted ovsdb-server: reads answer with the fixture's tables, a write answers with what
/// ovsdb-server answered in the captured transcripts. What the user is told when the write is refused.
/// </summary>
public class OvsBridgeResourceTests
{
    private const string Urn = "urn:pulumi:dev::lab::kvm:index:OvsBridge::sw";

    /// <summary>Answers the three selects from <see cref="OvsFixtures.HostTables"/>; a write with <paramref name="writeResult"/> (a transact result array).</summary>
    private sealed class ScriptedOvsdb(string writeResult) : IOvsdbClient
    {
        public List<IReadOnlyList<Operation>> Writes { get; } = [];
        public string Endpoint => "unix:/run/openvswitch/db.sock";

        public Task<ImmutableArray<OperationResult>> TransactAsync(string database, IReadOnlyList<Operation> operations, CancellationToken ct = default)
        {
            if (operations.All(o => o is Select))
            {
                var host = HostTables();
                return Task.FromResult(ImmutableArray.Create(
                    new OperationResult(null, host.Bridges, null),
                    new OperationResult(null, [.. host.Ports.Values], null),
                    new OperationResult(null, [.. host.Interfaces.Values], null)));
            }
            Writes.Add(operations);
            using var doc = JsonDocument.Parse(writeResult);
            return Task.FromResult(OvsdbJson.ReadTransactResult(doc.RootElement, operations));
        }
    }

    private static (IResource Resource, ScriptedOvsdb Ovsdb) Make(string writeResult)
    {
        var ovsdb = new ScriptedOvsdb(writeResult);
        var connections = new Mock<IHostConnections>(MockBehavior.Strict);
        connections.SetupGet(c => c.Ovsdb).Returns(ovsdb);
        // The kernel's side (the internal port, joining uplinks): a change reads it first; here it holds none of them.
        connections.SetupGet(c => c.Links).Returns(new Mock<Kvm.Netlink.ILinkApi>().Object);
        connections.Setup(c => c.Dispose());
        var host = new ProviderHost(new CapturingLog(), _ => connections.Object);
        host.Configure(new ProviderConfig());
        return (new OvsBridgeResource(host), ovsdb);
    }

    private static Task<ObjectValue> UpdateAsync(IResource resource, string news)
    {
        var old = NetworkHarness.Obj(Declared);
        return resource.UpdateAsync(new UpdateRequest("ovsbr0", Urn, old, NetworkHarness.Obj(news), old, Preview: false, [], null), CancellationToken.None);
    }

    [Fact]
    public async Task An_edit_made_after_the_read_is_reported_as_such_and_nothing_was_changed()
    {
        var (resource, ovsdb) = Make("""[{"details":"\"where\" clause test failed","error":"timed out"}]""");
        var e = await Assert.ThrowsAsync<ProviderException>(() => UpdateAsync(resource, Declared.Replace("\"tag\": 10}", "\"tag\": 11}")));
        Assert.Equal(StatusCode.FailedPrecondition, e.Code);
        Assert.Equal("changing the Open vSwitch bridge ovsbr0: the bridge or one of its ports was changed by someone else after the provider read it " +
            "(OVSDB: timed out: \"where\" clause test failed (operation 1, wait)); nothing was changed. Run `pulumi up` again to apply the change over theirs, or `pulumi refresh` first to see it", e.Message);
        var sent = Assert.Single(ovsdb.Writes);
        Assert.IsType<Wait>(sent[0]);
    }

    [Fact]
    public async Task Ovsdb_s_refusal_comes_back_in_its_own_words()
    {
        var (resource, _) = Make("""[{},{},{"details":"5000 is not in the valid range 0 to 4095 (inclusive)","error":"constraint violation"}]""");
        var e = await Assert.ThrowsAsync<ProviderException>(() => UpdateAsync(resource, Declared.Replace("\"tag\": 10}", "\"tag\": 11}")));
        Assert.Equal(StatusCode.FailedPrecondition, e.Code);
        Assert.StartsWith("changing the Open vSwitch bridge ovsbr0: Open vSwitch refused it (OVSDB: constraint violation: 5000 is not in the valid range 0 to 4095 (inclusive) (operation 3, ", e.Message);
        Assert.EndsWith("); nothing was changed", e.Message);
    }

    [Fact]
    public async Task A_bridge_with_a_guest_s_port_is_not_deleted_without_force_destroy()
    {
        var (resource, ovsdb) = Make("[]");
        var state = NetworkHarness.Obj(Declared);
        var e = await Assert.ThrowsAsync<ProviderException>(() => resource.DeleteAsync(new DeleteRequest("ovsbr0", Urn, state, state, null), CancellationToken.None));
        Assert.Equal("the Open vSwitch bridge ovsbr0 carries guests' ports (vnet0): deleting it cuts those guests off, and libvirt does not put their ports back. Set forceDestroy: true to delete it anyway. Nothing was changed", e.Message);
        Assert.Empty(ovsdb.Writes);
    }
}
