using Kvm.Netlink;
using Kvm.Provider.Values;

namespace Kvm.Provider.Resources.Bridges;

/// <summary>The Bridge's pure rules: names, MAC, STP timers, ports as the program lists them; the preview's outputs.</summary>
internal sealed class BridgePlanner : Planner<BridgeArgs, BridgeState>
{
    public override IEnumerable<CheckFailure> Validate(CheckContext<BridgeArgs> ctx)
    {
        var a = ctx.News.Value;
        var failures = new List<CheckFailure>();
        if (a.Name is { } name && !LinkName.IsValid(name))
            failures.Add(new(BridgeArgs.Paths.Name, $"\"{name}\" is not a valid interface name: 1-15 characters, no '/', ':' or whitespace, not \".\" or \"..\""));
        if (a.MacAddress is { } mac && MacError(mac) is { } macError)
            failures.Add(new(BridgeArgs.Paths.MacAddress, macError));
        if (a.Stp == true)
        {
            if (a.ForwardDelay is { } fd && fd is < 2 or > 30) failures.Add(new(BridgeArgs.Paths.ForwardDelay, $"must be between 2 and 30 seconds when stp is on; got {fd}"));
            if (a.HelloTime is { } ht && ht is < 1 or > 10) failures.Add(new(BridgeArgs.Paths.HelloTime, $"must be between 1 and 10 seconds when stp is on; got {ht}"));
            if (a.MaxAge is { } ma && ma is < 6 or > 40) failures.Add(new(BridgeArgs.Paths.MaxAge, $"must be between 6 and 40 seconds when stp is on; got {ma}"));
        }
        foreach (var (field, seconds) in new[] { (BridgeArgs.Paths.ForwardDelay, a.ForwardDelay), (BridgeArgs.Paths.HelloTime, a.HelloTime), (BridgeArgs.Paths.MaxAge, a.MaxAge), (BridgeArgs.Paths.AgeingTime, a.AgeingTime) })
        {
            if (seconds is { } s && Math.Abs(s * 100 - Math.Round(s * 100)) > 1e-6)
                failures.Add(new(field, $"the kernel keeps bridge timers in hundredths of a second; {s} has more decimals"));
        }
        if (a.Ports is { } ports)
        {
            var seen = new HashSet<string>(StringComparer.Ordinal);
            for (var i = 0; i < ports.Length; i++)
            {
                var path = PropertyPath.Index(BridgeArgs.Paths.Ports, i);
                if (ctx.News.IsUnknown(path)) continue;
                if (ports[i] is not { } port)
                {
                    failures.Add(new(path, "is null: list each port by its interface name"));
                    continue;
                }
                if (!LinkName.IsValid(port)) failures.Add(new(path, $"\"{port}\" is not a valid interface name"));
                else if (port == "lo") failures.Add(new(path, "the loopback interface cannot be a bridge port"));
                else if (port == a.Name) failures.Add(new(path, "a bridge cannot be a port of itself"));
                else if (!seen.Add(port)) failures.Add(new(path, $"\"{port}\" is listed twice"));
            }
        }
        failures.AddRange(PortOptionsFailures(ctx));
        failures.AddRange(BridgeAddressRules.Validate(ctx.News));
        return failures;
    }

    /// <summary>Each entry names one of the declared ports, once (option ranges are the binder's, from the declarations).</summary>
    private static IEnumerable<CheckFailure> PortOptionsFailures(CheckContext<BridgeArgs> ctx)
    {
        var a = ctx.News.Value;
        if (a.PortOptions is not { } entries) yield break;
        // A port the program does not know yet may be the one an entry names.
        var portsKnown = !ctx.News.UnknownPaths.Any(p => p == BridgeArgs.Paths.Ports || p.StartsWith(BridgeArgs.Paths.Ports + "[", StringComparison.Ordinal));
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < entries.Length; i++)
        {
            var item = PropertyPath.Index(BridgeArgs.Paths.PortOptions, i);
            var path = PropertyPath.Append(item, BridgePortOptionsArgs.Paths.Port);
            if (ctx.News.IsUnknown(item) || ctx.News.IsUnknown(path)) continue;
            if (entries[i] is not { Port: { } port })
            {
                if (entries[i] is null) yield return new(item, "is null: give each entry the port it is for");
                continue;
            }
            if (a.Ports is null && portsKnown)
                yield return new(path, $"\"{port}\" has options, but ports is unset: port options are managed only for the ports the bridge declares (list it in ports)");
            else if (portsKnown && a.Ports is { } ports && !ports.Contains(port))
                yield return new(path, $"\"{port}\" is not one of this bridge's ports ({(ports.Length == 0 ? "none" : string.Join(", ", ports))}); add it to ports or remove its options");
            else if (!seen.Add(port))
                yield return new(path, $"\"{port}\" has two entries; give each port one");
        }
    }

    public override string? HostNameOf(BridgeArgs args) => args.Name;

    /// <summary>MACs in lower case; addresses, gateways and routes as <see cref="BridgeAddressRules.Normalize"/> writes them.</summary>
    public override ObjectValue NormalizeInputs(ObjectValue news)
    {
        if (news[BridgeArgs.Paths.MacAddress] is StringValue mac)
            news = news.With(BridgeArgs.Paths.MacAddress, PropertyValue.Of(mac.Value.ToLowerInvariant().Replace('-', ':')));
        return BridgeAddressRules.Normalize(news);
    }

    /// <summary>A new bridge: the inputs, with everything the kernel will decide unknown; a changed one keeps what the kernel told.</summary>
    public override Outcome<BridgeState> Preview(PreviewContext<BridgeArgs, BridgeState> ctx) =>
        ctx.OldState is { } old
            ? PreviewOutputs.OfUpdate<BridgeArgs, BridgeState>(ctx.Args.Name ?? "", ctx.Inputs, old)
            : PreviewOutputs.OfCreate<BridgeArgs, BridgeState>(ctx.Args.Name ?? "", ctx.Inputs);

    private static string? MacError(string mac)
    {
        if (!Netlink.MacAddress.TryParse(mac.Replace('-', ':'), out var parsed))
            return $"\"{mac}\" is not a MAC address (six hex octets, e.g. 52:54:00:12:34:56)";
        if (parsed.IsMulticast) return $"{mac} is a multicast address; a bridge needs a unicast MAC";
        if (parsed == default) return "00:00:00:00:00:00 is not a usable MAC address";
        return null;
    }
}
