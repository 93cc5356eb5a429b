using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Kvm.Engine;
using Kvm.Lab;
using Pulumirpc;

namespace Kvm.Lifecycle.Tests;

/// <summary>
/// The engine runs many operations at once against one plugin. Changes to one bridge are
/// serialised, changes to different bridges are not, and the host ends exactly as the last
/// accepted answer says.
/// </summary>
public sealed class BridgeConcurrencyTests
{
    private const string Bridge = "kvm:index:Bridge";

    private static Struct Inputs(string name, int mtu) => Props.Parse($$"""{"name": "{{name}}", "mtu": {{mtu}}, "up": true, "forceDestroy": false}""");

    [Fact]
    public async Task Sixty_four_concurrent_calls_leave_the_host_as_the_last_accepted_state_says()
    {
        using var ns = LabNamespace.Create();
        await using var stack = await Stack.StartAsync($$"""{"netns": "{{ns.Name}}"}""");
        var client = stack.Provider.Client;
        string Urn(string name) => stack.Urn(Bridge, name);

        async Task<(CreateResponse? Ok, RpcException? Error)> Create(string name, int mtu)
        {
            try { return (await client.CreateAsync(new CreateRequest { Urn = Urn(name), Type = Bridge, Name = name, Properties = Inputs(name, mtu) }), null); }
            catch (RpcException e) { return (null, e); }
        }

        // 32 different bridges and 32 creates of the same one, all at once
        var creates = Enumerable.Range(0, 32).Select(i => Create($"brc{i}", 1400 + i))
            .Concat(Enumerable.Range(0, 32).Select(i => Create("brsame", 1000 + i))).ToList();
        var created = await Task.WhenAll(creates);
        Assert.All(created.Take(32), r => Assert.NotNull(r.Ok));
        var same = created.Skip(32).ToList();
        Assert.Single(same, r => r.Ok is not null);
        Assert.All(same.Where(r => r.Ok is null), r => Assert.Equal(StatusCode.AlreadyExists, r.Error!.StatusCode));
        var winner = same.Single(r => r.Ok is not null).Ok!;
        Assert.Equal(winner.Properties.Fields["mtu"].NumberValue, Mtu(ns, "brsame"));
        for (var i = 0; i < 32; i++) Assert.Equal(1400 + i, Mtu(ns, $"brc{i}"));

        // 64 at once: updates of different bridges, deletes of some, and racing updates of one bridge
        var state = winner.Properties;
        async Task<(UpdateResponse? Ok, RpcException? Error, int Mtu)> Update(string name, Struct olds, int mtu)
        {
            try { return (await client.UpdateAsync(new UpdateRequest { Id = name, Urn = Urn(name), Type = Bridge, Olds = olds, OldInputs = olds, News = Inputs(name, mtu) }), null, mtu); }
            catch (RpcException e) { return (null, e, mtu); }
        }
        async Task<RpcException?> Delete(string name, Struct olds)
        {
            try { await client.DeleteAsync(new DeleteRequest { Id = name, Urn = Urn(name), Type = Bridge, Properties = olds }); return null; }
            catch (RpcException e) { return e; }
        }
        var updates = Enumerable.Range(0, 16).Select(i => Update($"brc{i}", created[i].Ok!.Properties, 2000 + i)).ToList();
        var deletes = Enumerable.Range(16, 16).Select(i => Delete($"brc{i}", created[i].Ok!.Properties)).ToList();
        var racing = Enumerable.Range(0, 32).Select(i => Update("brsame", state, 3000 + i)).ToList();
        await Task.WhenAll(updates.Cast<Task>().Concat(deletes).Concat(racing));

        for (var i = 0; i < 16; i++)
        {
            var (ok, error, mtu) = await updates[i];
            Assert.Null(error);
            Assert.Equal(mtu, ok!.Properties.Fields["mtu"].NumberValue);
            Assert.Equal(mtu, Mtu(ns, $"brc{i}"));
        }
        Assert.All(deletes, d => Assert.Null(d.Result));
        for (var i = 16; i < 32; i++) Assert.Null(ns.Link($"brc{i}"));

        // every racing update was applied whole (its answer reads back its own MTU), and the host
        // holds the MTU of one of them: the last one applied
        var results = racing.Select(t => t.Result).ToList();
        Assert.All(results, r => Assert.Null(r.Error));
        Assert.All(results, r => Assert.Equal(r.Mtu, r.Ok!.Properties.Fields["mtu"].NumberValue));
        Assert.Contains(results, r => r.Mtu == Mtu(ns, "brsame"));
        Assert.False(stack.Provider.HasExited);
    }

    private static double Mtu(LabNamespace ns, string name) =>
        (ns.Link(name) ?? throw new Xunit.Sdk.XunitException($"{name} is missing")).GetProperty("mtu").GetInt32();
}
