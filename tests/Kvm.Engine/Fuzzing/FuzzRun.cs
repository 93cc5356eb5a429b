using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Pulumirpc;

namespace Kvm.Engine.Fuzzing;

/// <summary>
/// Malformed requests, as a careless or hostile client sends them, to a running plugin over gRPC.
/// Seeded and bounded: for one resource, the same requests every run, over Check, Create, Update,
/// Diff, Read and Delete. What it counts and the problems it finds are the caller's to assert:
/// every answer must be a deliberate status (never UNKNOWN) with a message, and no answer may
/// contain a value that arrived secret. Whether the host changed is for the caller to observe.
/// </summary>
public sealed class FuzzRun(ResourceProvider.ResourceProviderClient client, int seed)
{
    public const string SecretMarker = "hunter2";

    private readonly Random _random = new(seed);
    private readonly Dictionary<string, int> _statuses = new(StringComparer.Ordinal);
    private readonly List<string> _problems = [];

    public int Seed { get; } = seed;
    public int Requests { get; private set; }
    public IReadOnlyList<string> Problems => _problems;

    /// <summary>"N requests: Check: refused 977, Create: InvalidArgument 929, ..."</summary>
    public string Report => $"{Requests} requests: " + string.Join(", ", _statuses.OrderBy(s => s.Key, StringComparer.Ordinal).Select(s => $"{s.Key} {s.Value}"));

    /// <summary>
    /// At least <paramref name="requests"/> requests damaging <paramref name="validJson"/>, a valid input of
    /// <paramref name="token"/> whose object exists as <paramref name="id"/> (the olds of Update and Diff).
    /// A refused mutation goes to Check, Create, Update and Diff or Read; an accepted one is a valid
    /// program, so only Diff sees it. Then Deletes of objects that do not exist, with junk state.
    /// </summary>
    public async Task RunAsync(string token, string validJson, string id, int requests = 1000, string name = "fz")
    {
        var urn = $"urn:pulumi:dev::fuzz::{token}::{name}";
        var olds = Props.Parse(validJson);
        var sent = 0;
        for (var i = 0; sent < requests; i++)
        {
            var news = Mutations.Apply(Props.Parse(validJson), _random, SecretMarker);
            var check = await client.CheckAsync(new CheckRequest { Urn = urn, Olds = new Struct(), News = news, Name = name, Type = token });
            sent++;
            foreach (var f in check.Failures)
            {
                if (f.Reason.Contains(SecretMarker, StringComparison.Ordinal)) _problems.Add($"{token} Check echoes a secret: {f.Property}: {f.Reason}");
                if (string.IsNullOrWhiteSpace(f.Reason)) _problems.Add($"{token} Check failure without a reason at {f.Property}");
            }
            Count(check.Failures.Count > 0 ? "Check: refused" : "Check: accepted");
            if (check.Failures.Count == 0)
            {
                sent += await ExpectAsync(token, "Diff", () => client.DiffAsync(new DiffRequest { Id = id, Urn = urn, Olds = olds, News = news, OldInputs = olds }).ResponseAsync, allowOk: true);
                continue;
            }
            sent += await ExpectAsync(token, "Create", () => client.CreateAsync(new CreateRequest { Urn = urn, Properties = news, Name = name, Type = token }).ResponseAsync);
            sent += await ExpectAsync(token, "Update", () => client.UpdateAsync(new UpdateRequest { Id = id, Urn = urn, Olds = olds, News = news, OldInputs = olds }).ResponseAsync);
            var viaDiff = i % 2 == 0;
            Func<Task> third = viaDiff
                ? () => client.DiffAsync(new DiffRequest { Id = id, Urn = urn, Olds = olds, News = news, OldInputs = olds }).ResponseAsync
                : () => client.ReadAsync(new ReadRequest { Id = Mutations.JunkId(_random), Urn = urn, Properties = news, Inputs = news }).ResponseAsync;
            sent += await ExpectAsync(token, viaDiff ? "Diff" : "Read", third, allowOk: true);
        }
        for (var i = 0; i < 10; i++)
        {
            var state = Mutations.Apply(Props.Parse(validJson), _random, SecretMarker);
            sent += await ExpectAsync(token, "Delete", () => client.DeleteAsync(new DeleteRequest { Id = Mutations.JunkId(_random), Urn = urn, Properties = state, OldInputs = state }).ResponseAsync, allowOk: true);
        }
        Requests += sent;
    }

    /// <summary>One RPC: refused with a deliberate status and a message without secrets (or, where allowed, answered).</summary>
    private async Task<int> ExpectAsync(string token, string rpc, Func<Task> call, bool allowOk = false)
    {
        try
        {
            await call();
            Count($"{rpc}: OK");
            if (!allowOk) _problems.Add($"{token} {rpc} accepted input Check refuses");
        }
        catch (RpcException e)
        {
            Count($"{rpc}: {e.StatusCode}");
            if (e.StatusCode == StatusCode.Unknown) _problems.Add($"{token} {rpc} answered UNKNOWN: {e.Status.Detail}");
            if (string.IsNullOrWhiteSpace(e.Status.Detail)) _problems.Add($"{token} {rpc} answered {e.StatusCode} without a message");
            if (e.Status.Detail.Contains(SecretMarker, StringComparison.Ordinal)) _problems.Add($"{token} {rpc} echoes a secret: {e.Status.Detail}");
        }
        return 1;
    }

    private void Count(string key) => _statuses[key] = _statuses.GetValueOrDefault(key) + 1;
}
