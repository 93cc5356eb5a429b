using System.Text.Json;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Kvm.Engine;
using Kvm.Lab;
using Pulumirpc;

namespace Kvm.Lifecycle.Tests.Hardening;

/// <summary>
/// Malformed requests, as a careless or hostile client sends them, to the real plugin over gRPC,
/// against a lab host (a namespace of its own and a private libvirtd). Seeded and bounded: for each
/// resource, the same 1,000 requests every run, over Check, Create, Update, Diff, Read and Delete.
/// Every answer must be a deliberate status (never UNKNOWN) with a message, no answer may contain a
/// value that arrived secret, nothing refused may change the host, and the plugin answers at the end.
/// </summary>
public sealed class FuzzTests
{
    private const int Seed = 20261205;
    private const int RequestsPerResource = 1000; // a refused mutation goes to Check, Create, Update and Diff or Read
    private const string SecretMarker = "hunter2";

    private static readonly (string Token, string Valid)[] Resources =
    [
        ("kvm:index:Bridge", """{"name": "fz0", "stp": false, "mtu": 1500, "ports": ["fzp0"], "macAddress": "52:54:00:fa:00:01"}"""),
        ("kvm:index:VlanFilter", """{"bridge": "fz0", "port": "fzp0", "vlans": [{"vid": 10, "pvid": true, "untagged": true}, {"range": "20-29"}]}"""),
        ("kvm:index:LibvirtNetwork", """{"name": "fz", "bridge": {"name": "virbr-fz", "stp": false}, "ips": [{"address": "10.99.0.1", "prefix": 24, "dhcp": {"ranges": [{"start": "10.99.0.10", "end": "10.99.0.20"}], "hosts": [{"mac": "52:54:00:fa:00:02", "ip": "10.99.0.11"}]}}], "dns": {"hosts": [{"ip": "10.99.0.11", "hostnames": ["g"]}]}}"""),
        ("kvm:index:Domain", """{"name": "fz", "type": "qemu", "memoryMib": 64, "vcpus": 1, "running": false, "interfaces": [{"type": "network", "network": "fz"}], "graphics": {"type": "vnc", "password": "pw"}}"""),
    ];

    [Fact]
    public async Task A_thousand_malformed_requests_per_resource_are_refused_deliberately_and_change_nothing()
    {
        using var lv = PrivateLibvirtd.Start();
        var before = HostSnapshot.Take(lv.Namespace, lv);
        await using var stack = await Stack.StartAsync(JsonSerializer.Serialize(new Dictionary<string, string>
        {
            ["uri"] = lv.Uri,
            ["netns"] = lv.Namespace.Name,
            ["libvirtHooksDir"] = lv.HooksDir,
        }));
        var client = stack.Provider.Client;
        var random = new Random(Seed);
        var statuses = new Dictionary<string, int>();
        var problems = new List<string>();
        var requests = 0;

        foreach (var (token, valid) in Resources)
        {
            var urn = $"urn:pulumi:dev::lab::{token}::fz";
            var olds = Props.Parse(valid);
            var perResource = 0;
            for (var i = 0; perResource < RequestsPerResource; i++)
            {
                var news = Mutations.Apply(Props.Parse(valid), random, SecretMarker);
                var check = await client.CheckAsync(new Pulumirpc.CheckRequest { Urn = urn, Olds = new Struct(), News = news, Name = "fz", Type = token });
                perResource++;
                foreach (var f in check.Failures)
                {
                    if (f.Reason.Contains(SecretMarker, StringComparison.Ordinal)) problems.Add($"{token} Check echoes a secret: {f.Property}: {f.Reason}");
                    if (string.IsNullOrWhiteSpace(f.Reason)) problems.Add($"{token} Check failure without a reason at {f.Property}");
                }
                Count(statuses, check.Failures.Count > 0 ? "Check: refused" : "Check: accepted");
                // Only what Check refuses goes on to the RPCs that act: an accepted mutation is a valid program.
                if (check.Failures.Count == 0)
                {
                    perResource += await ExpectAsync(statuses, problems, token, "Diff", () => client.DiffAsync(new DiffRequest { Id = "fz", Urn = urn, Olds = olds, News = news, OldInputs = olds }).ResponseAsync, allowOk: true);
                    continue;
                }
                perResource += await ExpectAsync(statuses, problems, token, "Create", () => client.CreateAsync(new CreateRequest { Urn = urn, Properties = news, Name = "fz", Type = token }).ResponseAsync);
                perResource += await ExpectAsync(statuses, problems, token, "Update", () => client.UpdateAsync(new UpdateRequest { Id = "fz", Urn = urn, Olds = olds, News = news, OldInputs = olds }).ResponseAsync);
                Func<Task> third = i % 2 == 0
                    ? () => client.DiffAsync(new DiffRequest { Id = "fz", Urn = urn, Olds = olds, News = news, OldInputs = olds }).ResponseAsync
                    : () => client.ReadAsync(new ReadRequest { Id = Mutations.JunkId(random), Urn = urn, Properties = news, Inputs = news }).ResponseAsync;
                perResource += await ExpectAsync(statuses, problems, token, i % 2 == 0 ? "Diff" : "Read", third, allowOk: true);
            }
            // Deletes of objects that do not exist, with junk state: gone already, never an error that says otherwise.
            for (var i = 0; i < 10; i++)
            {
                var state = Mutations.Apply(Props.Parse(valid), random, SecretMarker);
                perResource += await ExpectAsync(statuses, problems, token, "Delete", () => client.DeleteAsync(new DeleteRequest { Id = Mutations.JunkId(random), Urn = urn, Properties = state, OldInputs = state }).ResponseAsync, allowOk: true);
            }
            requests += perResource;
        }

        var info = await client.GetPluginInfoAsync(new Empty()); // still answers
        Assert.False(string.IsNullOrEmpty(info.Version));
        Assert.DoesNotContain("failed unexpectedly", stack.Provider.Stderr);
        var report = $"{requests} requests: " + string.Join(", ", statuses.OrderBy(s => s.Key, StringComparer.Ordinal).Select(s => $"{s.Key} {s.Value}"));
        File.WriteAllText(Path.Combine(Directory.CreateDirectory(Path.Combine(RepoPaths.Root, "artifacts")).FullName, "fuzz.md"),
            $"# Fuzz run (seed {Seed})\n\n{report}\n\nhost changes: {before.Differences(HostSnapshot.Take(lv.Namespace, lv)).Length}\n");
        Assert.True(problems.Count == 0, $"{report}\n{string.Join("\n", problems.Take(40))}");
        Assert.Equal("", before.Differences(HostSnapshot.Take(lv.Namespace, lv)));
    }

    /// <summary>One RPC: refused with a deliberate status and a message without secrets (or, where allowed, answered).</summary>
    private static async Task<int> ExpectAsync(Dictionary<string, int> statuses, List<string> problems, string token, string rpc, Func<Task> call, bool allowOk = false)
    {
        try
        {
            await call();
            Count(statuses, $"{rpc}: OK");
            if (!allowOk) problems.Add($"{token} {rpc} accepted input Check refuses");
        }
        catch (RpcException e)
        {
            Count(statuses, $"{rpc}: {e.StatusCode}");
            if (e.StatusCode == StatusCode.Unknown) problems.Add($"{token} {rpc} answered UNKNOWN: {e.Status.Detail}");
            if (string.IsNullOrWhiteSpace(e.Status.Detail)) problems.Add($"{token} {rpc} answered {e.StatusCode} without a message");
            if (e.Status.Detail.Contains(SecretMarker, StringComparison.Ordinal)) problems.Add($"{token} {rpc} echoes a secret: {e.Status.Detail}");
        }
        return 1;
    }

    private static void Count(Dictionary<string, int> statuses, string key) => statuses[key] = statuses.GetValueOrDefault(key) + 1;
}
