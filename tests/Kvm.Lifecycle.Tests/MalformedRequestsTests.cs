using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Kvm.Engine;
using Kvm.Lab;
using Pulumirpc;
using static Kvm.Engine.Decl;

namespace Kvm.Lifecycle.Tests;

/// <summary>
/// Hundreds of requests an engine (or a broken one) could send: each gets CheckFailures or
/// InvalidArgument with a reason a person can act on, the plugin never dies, and a valid request
/// afterwards still works.
/// </summary>
public sealed class MalformedRequestsTests
{
    private const string Bridge = "kvm:index:Bridge";
    private const string Urn = "urn:pulumi:dev::lab::kvm:index:Bridge::b";

    private static Struct S(params (string Key, Value Value)[] fields)
    {
        var s = new Struct();
        foreach (var (k, v) in fields) s.Fields[k] = v;
        return s;
    }

    private static Value Str(string s) => Value.ForString(s);
    private static Value Num(double d) => Value.ForNumber(d);
    private static Value Special(string sig, params (string Key, Value Value)[] fields) =>
        Value.ForStruct(S([(Props.SpecialKey, Str(sig)), .. fields]));

    private static Value Deep(int depth, bool lists)
    {
        var v = Str("leaf");
        for (var i = 0; i < depth; i++) v = lists ? Value.ForList(v) : Value.ForStruct(S(("x", v)));
        return v;
    }

    /// <summary>A refusal: either CheckFailures or an RpcException; anything else fails the test.</summary>
    private sealed record Refusal(string Case, IReadOnlyList<Pulumirpc.CheckFailure> Failures, RpcException? Error);

    [Fact]
    public async Task Malformed_requests_are_refused_clearly_and_the_plugin_survives_them()
    {
        using var ns = LabNamespace.Create();
        await using var stack = await Stack.StartAsync($$"""{"netns": "{{ns.Name}}"}""");
        var client = stack.Provider.Client;
        var cases = new List<(string Name, Func<Task<Refusal>> Run)>();

        void Check(string name, Struct news) => cases.Add((name, async () =>
        {
            try
            {
                var r = await client.CheckAsync(new CheckRequest { Urn = Urn, Name = "b", Type = Bridge, News = news });
                return new Refusal(name, [.. r.Failures], null);
            }
            catch (RpcException e) { return new Refusal(name, [], e); }
        }));
        void Rpc(string name, Func<Task> call) => cases.Add((name, async () =>
        {
            try
            {
                await call();
                return new Refusal(name, [], null);
            }
            catch (RpcException e) { return new Refusal(name, [], e); }
        }));

        // 1. every input with values of the wrong type
        var wrongForString = new[] { Num(5), Value.ForBool(true), Value.ForList(Str("a")), Value.ForStruct(S(("a", Str("b")))) };
        var wrongForNumber = new[] { Str("9000"), Value.ForBool(false), Value.ForList(Num(1)), Value.ForStruct(S(("v", Num(1)))) };
        var wrongForBool = new[] { Str("true"), Num(1), Value.ForList(Value.ForBool(true)), Value.ForStruct(new Struct()) };
        foreach (var p in new[] { "name", "macAddress", "vlanProtocol" })
            foreach (var w in wrongForString) Check($"{p} as {w.KindCase}", S(("name", Str("b0")), (p, w)));
        foreach (var p in new[] { "mtu", "forwardDelay", "helloTime", "maxAge", "ageingTime", "defaultPvid" })
            foreach (var w in wrongForNumber) Check($"{p} as {w.KindCase}", S(("name", Str("b0")), (p, w)));
        foreach (var p in new[] { "stp", "vlanFiltering", "multicastSnooping", "up", "forceDestroy" })
            foreach (var w in wrongForBool) Check($"{p} as {w.KindCase}", S(("name", Str("b0")), (p, w)));
        foreach (var w in new[] { Str("eth0"), Num(3), Value.ForList(Num(3)), Value.ForList(Value.ForStruct(new Struct())), Value.ForList(Value.ForList(Str("x"))), Value.ForBool(true) })
            Check($"ports as {w}", S(("name", Str("b0")), ("ports", w)));

        // 2. numbers that are not numbers, or out of range
        foreach (var (p, values) in new (string, double[])[]
        {
            ("mtu", [double.NaN, double.PositiveInfinity, double.NegativeInfinity, 1e300, -1, 0.5, 67, 65536, -0.0001]),
            ("defaultPvid", [double.NaN, -1, 4095, 1.5, 1e18]),
            ("forwardDelay", [double.NaN, 31, -1, 0.001]),
            ("helloTime", [double.NaN, 11, -5]),
            ("maxAge", [double.NaN, 41]),
            ("ageingTime", [double.NaN, 1e7, -1]),
        })
            foreach (var v in values) Check($"{p} = {v}", S(("name", Str("b0")), (p, Num(v))));

        // 3. nesting far beyond anything real, in every RPC that carries properties
        foreach (var lists in new[] { true, false })
        {
            var deep = S(("name", Deep(1000, lists)));
            var kind = lists ? "lists" : "objects";
            Check($"1000-deep {kind} in Check", deep);
            Rpc($"1000-deep {kind} in Diff", async () => await client.DiffAsync(new DiffRequest { Id = "b0", Urn = Urn, Type = Bridge, Olds = deep, News = deep }));
            Rpc($"1000-deep {kind} in Create", async () => await client.CreateAsync(new CreateRequest { Urn = Urn, Type = Bridge, Properties = deep }));
            Rpc($"1000-deep {kind} in Update", async () => await client.UpdateAsync(new UpdateRequest { Id = "b0", Urn = Urn, Type = Bridge, Olds = deep, News = deep }));
            Rpc($"1000-deep {kind} in Read", async () => await client.ReadAsync(new ReadRequest { Id = "b0", Urn = Urn, Type = Bridge, Properties = deep }));
            Rpc($"1000-deep {kind} in Delete", async () => await client.DeleteAsync(new DeleteRequest { Id = "b0", Urn = Urn, Type = Bridge, Properties = deep }));
            Rpc($"1000-deep {kind} in CheckConfig", async () => await client.CheckConfigAsync(new CheckRequest { News = deep }));
            Rpc($"1000-deep {kind} in Configure", async () => await client.ConfigureAsync(new ConfigureRequest { Args = deep }));
            Check($"70-deep {kind} (parses, too deep for inputs)", S(("name", Deep(20, lists))));
        }

        // 4. a 10 MB string where a name, a MAC, a protocol, a port or a key goes
        var huge = new string('x', 10 * 1024 * 1024);
        Check("10 MB name", S(("name", Str(huge))));
        Check("10 MB macAddress", S(("name", Str("b0")), ("macAddress", Str(huge))));
        Check("10 MB vlanProtocol", S(("name", Str("b0")), ("vlanProtocol", Str(huge))));
        Check("10 MB port name", S(("name", Str("b0")), ("ports", Value.ForList(Str(huge)))));
        Check("10 MB key", S(("name", Str("b0")), (huge, Str("v"))));
        Rpc("10 MB name straight to Create", async () => await client.CreateAsync(new CreateRequest { Urn = Urn, Type = Bridge, Properties = S(("name", Str(huge))) }));
        Rpc("10 MB id in Read", async () => await client.ReadAsync(new ReadRequest { Id = huge, Urn = Urn, Type = Bridge }));
        Rpc("10 MB type token", async () => await client.CheckAsync(new CheckRequest { Urn = Urn, Type = huge, News = new Struct() }));

        // 5. unknowns and secrets where they make no sense
        var unknown = Str(Props.Unknown);
        Rpc("unknown name in a real Create", async () => await client.CreateAsync(new CreateRequest { Urn = Urn, Type = Bridge, Properties = S(("name", unknown)) }));
        Rpc("unknown mtu in a real Create", async () => await client.CreateAsync(new CreateRequest { Urn = Urn, Type = Bridge, Properties = S(("name", Str("b0")), ("mtu", Str("3eeb2bf0-c639-47a8-9e75-3b44932eb421"))) }));
        Rpc("unknown port in a real Create", async () => await client.CreateAsync(new CreateRequest { Urn = Urn, Type = Bridge, Properties = S(("name", Str("b0")), ("ports", Value.ForList(unknown))) }));
        Rpc("unknown ports list in a real Update", async () => await client.UpdateAsync(new UpdateRequest { Id = "b0", Urn = Urn, Type = Bridge, Olds = S(("name", Str("b0"))), News = S(("name", Str("b0")), ("ports", Str("6a19a0b0-7e62-4c92-b797-7f8e31da9cc2"))) }));
        Rpc("unknown id in Read", async () => await client.ReadAsync(new ReadRequest { Id = Props.Unknown, Urn = Urn, Type = Bridge }));
        Rpc("unknown id in Delete", async () => await client.DeleteAsync(new DeleteRequest { Id = Props.Unknown, Urn = Urn, Type = Bridge }));
        Check("secret with an unknown signature", S(("name", Special("not-a-signature", ("value", Str("b0"))))));
        Check("special key with a number", S(("name", Value.ForStruct(S((Props.SpecialKey, Num(1)))))));
        Check("asset as a name", S(("name", Special("c44067f5952c0a294b673a41bacd8c17", ("path", Str("/etc/passwd"))))));
        Check("archive as ports", S(("name", Str("b0")), ("ports", Special("0def7320c3a5731c473e5ecbe11d8a67", ("assets", Value.ForStruct(new Struct()))))));
        Check("resource reference without an id", S(("name", Special("5cf8f73096256a8f31e491e813e4eb8e", ("urn", Str(Urn))))));
        Check("secret wrapping a number as the name", S(("name", Props.Secret(Num(4)))));
        Check("secret wrapping a list as the mtu", S(("name", Str("b0")), ("mtu", Props.Secret(Value.ForList(Num(1))))));
        Check("secret wrapping nothing as the name", S(("name", Special(Props.SecretSig))));
        Rpc("secret id signature in Configure", async () => await client.ConfigureAsync(new ConfigureRequest { Args = S(("uri", Special("nonsense"))) }));
        Rpc("secret wrapping a number as uri in Configure", async () => await client.ConfigureAsync(new ConfigureRequest { Args = S(("uri", Props.Secret(Num(1)))) }));

        // 6. type tokens that name nothing we serve, in every resource RPC
        var tokens = new[] { "kvm:index:bridge", "kvm:index:Bridge ", "aws:s3:Bucket", "kvm:index:", "kvm::Bridge", ":::", "kvm:index:Brïdge", new string('k', 10_000) };
        foreach (var t in tokens)
        {
            var u = $"urn:pulumi:dev::lab::{t}::b";
            Rpc($"Check of {t[..Math.Min(t.Length, 20)]}", async () => await client.CheckAsync(new CheckRequest { Urn = u, Type = t, News = new Struct() }));
            Rpc($"Diff of {t[..Math.Min(t.Length, 20)]}", async () => await client.DiffAsync(new DiffRequest { Id = "b0", Urn = u, Type = t }));
            Rpc($"Create of {t[..Math.Min(t.Length, 20)]}", async () => await client.CreateAsync(new CreateRequest { Urn = u, Type = t }));
            Rpc($"Read of {t[..Math.Min(t.Length, 20)]}", async () => await client.ReadAsync(new ReadRequest { Id = "b0", Urn = u, Type = t }));
            Rpc($"Update of {t[..Math.Min(t.Length, 20)]}", async () => await client.UpdateAsync(new UpdateRequest { Id = "b0", Urn = u, Type = t }));
            Rpc($"Delete of {t[..Math.Min(t.Length, 20)]}", async () => await client.DeleteAsync(new DeleteRequest { Id = "b0", Urn = u, Type = t }));
        }

        // 7. empty or malformed urns with no type
        foreach (var u in new[] { "", "urn", "urn:pulumi:", "urn:pulumi:dev::lab", "not-a-urn::a::b::c", "urn:pulumi:dev::lab::::b" })
        {
            Rpc($"Check with urn '{u}'", async () => await client.CheckAsync(new CheckRequest { Urn = u, News = S(("name", Str("b0"))) }));
            Rpc($"Create with urn '{u}'", async () => await client.CreateAsync(new CreateRequest { Urn = u, Properties = S(("name", Str("b0"))) }));
            Rpc($"Delete with urn '{u}'", async () => await client.DeleteAsync(new DeleteRequest { Id = "b0", Urn = u }));
        }

        // 8. ids that cannot name a bridge
        foreach (var id in new[] { "", "a/b", "too-long-for-a-bridge-name", "has space", "..", "a:b" })
        {
            Rpc($"Read of id '{id}'", async () => await client.ReadAsync(new ReadRequest { Id = id, Urn = Urn, Type = Bridge }));
            Rpc($"Update of id '{id}'", async () => await client.UpdateAsync(new UpdateRequest { Id = id, Urn = Urn, Type = Bridge, Olds = S(("name", Str("b0"))), News = S(("name", Str("b0"))) }));
            Rpc($"Delete of id '{id}'", async () => await client.DeleteAsync(new DeleteRequest { Id = id, Urn = Urn, Type = Bridge }));
        }

        // 9. ignoreChanges paths that do not parse
        foreach (var path in new[] { "ports[", "ports[x]", "ports[-1]", "[", "a[\"b" })
        {
            Rpc($"Diff ignoring '{path}'", async () =>
            {
                var request = new DiffRequest { Id = "b0", Urn = Urn, Type = Bridge, Olds = S(("name", Str("b0"))), News = S(("name", Str("b0"))) };
                request.IgnoreChanges.Add(path);
                await client.DiffAsync(request);
            });
        }

        // 10. bad provider configuration
        foreach (var (key, value) in new (string, Value)[] { ("uri", Num(1)), ("uri", Str("")), ("uri", Str("no scheme")), ("netns", Str("../../etc")), ("netns", Value.ForList(Str("x"))), ("colour", Str("red")) })
            Rpc($"Configure with {key}={value}", async () => await client.ConfigureAsync(new ConfigureRequest { Args = S((key, value)) }));

        Assert.True(cases.Count >= 200, $"only {cases.Count} malformed requests");
        var problems = new List<string>();
        foreach (var (name, run) in cases)
        {
            var r = await run();
            if (r.Error is { } e)
            {
                if (e.StatusCode != StatusCode.InvalidArgument)
                    problems.Add($"{name}: {e.StatusCode} instead of InvalidArgument: {e.Status.Detail}");
                else if (e.Status.Detail.Length < 15 || e.Status.Detail.Contains("Exception was thrown"))
                    problems.Add($"{name}: an unclear reason: \"{e.Status.Detail}\"");
            }
            else if (r.Failures.Count == 0)
                problems.Add($"{name}: accepted");
            else if (r.Failures.Any(f => f.Reason.Length < 10))
                problems.Add($"{name}: an unclear failure: {string.Join("; ", r.Failures.Select(f => $"{f.Property}: {f.Reason}"))}");
            Assert.False(stack.Provider.HasExited, $"the plugin died on: {name}");
        }
        Assert.True(problems.Count == 0, $"{problems.Count} of {cases.Count} requests were not refused clearly:\n" + string.Join("\n", problems));

        // the plugin is still whole: a valid program goes through, and nothing reached stdout
        Assert.Empty(ns.Ip("-j", "link", "show", "type", "bridge").Trim('[', ']', '\n'));
        (await stack.UpAsync(Res(Bridge, "ok", """{"name": "br-valid", "mtu": 1500}"""))).EnsureOk();
        Assert.NotNull(ns.Link("br-valid"));
        Assert.Equal("", stack.Provider.StdoutAfterPort);
    }
}
