using Kvm.Engine;
using Kvm.Lab;
using static Kvm.Engine.Decl;

namespace Kvm.Lifecycle.Tests;

/// <summary>
/// The harness's `pulumi refresh` of a saved state by a fresh plugin, the engine's way (Reads in
/// parallel), against its one-at-a-time refresh: the benchmarks rely on both meaning the same.
/// </summary>
public sealed class RefreshHarnessTests
{
    private const string Bridge = "kvm:index:Bridge";

    [Fact]
    public async Task A_loaded_state_refreshed_in_parallel_ends_as_one_read_at_a_time()
    {
        using var ns = LabNamespace.Create();
        var config = $$"""{"netns": "{{ns.Name}}"}""";
        IReadOnlyList<ResourceState> saved;
        await using (var first = await Stack.StartAsync(config))
        {
            (await first.UpAsync(
                Res(Bridge, "a", """{"name": "br-a", "stp": false}"""),
                Res(Bridge, "b", """{"name": "br-b", "stp": false}"""),
                Res(Bridge, "c", """{"name": "br-c", "stp": false}"""),
                Res(Bridge, "d", """{"name": "br-d", "stp": false}"""))).EnsureOk();
            saved = first.State;
        }
        ns.Ip("link", "del", "br-c");
        ns.Ip("link", "set", "br-b", "mtu", "1300");

        await using var parallel = await Stack.StartAsync(config);
        parallel.LoadState(saved);
        var p = await parallel.RefreshAsync(Stack.UnboundedParallelism);
        await using var sequential = await Stack.StartAsync(config);
        sequential.LoadState(saved);
        var s = await sequential.RefreshAsync();

        Assert.True(p.Ok, StepRenderer.Render(p));
        Assert.Equal([("a", StepOp.Same), ("b", StepOp.Refresh), ("c", StepOp.Delete), ("d", StepOp.Same)], p.Steps.Select(x => (x.Name, x.Op)));
        Assert.Equal(s.Steps.Select(x => (x.Name, x.Op, x.Id)), p.Steps.Select(x => (x.Name, x.Op, x.Id)));
        Assert.Equal(["a", "b", "d"], parallel.State.Select(r => r.Name));
        Assert.Equal(sequential.State, parallel.State);
        Assert.Equal(1300, parallel["b"].Output("mtu")!.NumberValue);

        // Two at a time reads the same; a state naming a provider the stack lacks is refused.
        parallel.LoadState(saved);
        Assert.Equal(p.Steps.Select(x => (x.Name, x.Op)), (await parallel.RefreshAsync(2)).Steps.Select(x => (x.Name, x.Op)));
        Assert.Throws<InvalidOperationException>(() => parallel.LoadState([saved[0] with { Provider = "other" }]));
    }
}
