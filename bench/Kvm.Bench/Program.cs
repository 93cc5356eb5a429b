using Kvm.Bench;

// `make bench` runs every benchmark; `make bench ONLY=startup` runs one.
var only = args.Length > 0 ? args[0] : null;
var results = new List<Comparison>();
if (only is null or "startup") results.Add(StartupBench.Run());
if (only is null or "bridges")
{
    results.Add(await BridgeBench.CreateDeleteAsync());
    // For reference, not a target: an engine limited to 8 operations at once (`--parallel 8`).
    await BridgeBench.CreateDeleteAsync(parallel: 8);
    await BridgeBench.ReadWith500LinksAsync();
}
if (only is null or "networks") results.Add(NetworkReadBench.Run());
if (only is null or "domains") results.Add(DomainReadBench.Run());
if (only is null or "vlans") results.Add(VlanBench.Run());
if (only is null or "discover")
{
    results.Add(DiscoverBench.Run());
    results.Add(DiscoverBench.RunVlansInVm());
}
if (only is null or "remote") results.AddRange(RemoteBench.Run());
if (only is null or "takeover") results.Add(await TakeoverBench.RunAsync());
if (only is null or "ovs") results.Add(await OvsBench.RunAsync());
Console.WriteLine();
Console.WriteLine(results.All(r => r.Met) ? "all benchmark targets met" : "some benchmark targets NOT met");
return 0;
