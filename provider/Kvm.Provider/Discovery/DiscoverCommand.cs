using Kvm.Provider.Host;
using Kvm.Provider.Resources;
using Kvm.Provider.Values;
using Kvm.SdkGen.Schema;

namespace Kvm.Provider.Discovery;

/// <summary>`pulumi-resource-kvm discover [--uri U] [--netns N] [--out FILE] [--format import|csharp]`.</summary>
public static class DiscoverCommand
{
    public const string Usage = """
        usage: pulumi-resource-kvm discover [--uri URI] [--netns NAME|PATH] [--out FILE] [--format import|csharp]
          Scans the host read-only and writes what it would manage:
            --format import   Pulumi's bulk import file, for `pulumi import --file FILE` (the default)
            --format csharp   a C# program declaring the same resources with the Pulumi.Kvm SDK
          What it leaves out, and why, goes to stderr.
        """;

    public static async Task<int> RunAsync(string[] args, Stream stdout)
    {
        string? uri = null, netns = null, output = null, format = "import";
        for (var i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            try
            {
                switch (args[i])
                {
                    case "--uri": uri = Next(); break;
                    case "--netns": netns = Next(); break;
                    case "--out": output = Next(); break;
                    case "--format": format = Next(); break;
                    case "-h" or "--help":
                        Console.Error.WriteLine(Usage);
                        return 0;
                    default: throw new ArgumentException($"unknown argument {args[i]}");
                }
            }
            catch (ArgumentException e)
            {
                Console.Error.WriteLine($"discover: {e.Message}\n{Usage}");
                return 2;
            }
        }
        if (format is not ("import" or "csharp"))
        {
            Console.Error.WriteLine($"discover: --format is import or csharp, not {format}");
            return 2;
        }
        var config = new ProviderConfig { Uri = uri, Netns = netns };
        var problems = config.Validate().ToList();
        if (problems.Count > 0)
        {
            foreach (var p in problems) Console.Error.WriteLine($"discover: --{p.Property}: {p.Reason}");
            return 2;
        }

        using var host = new ProviderHost(new EngineLog(alsoToStderr: false, verbosity: 0));
        host.Configure(config);
        var resources = ResourceCatalog.Create(host);
        DiscoveryResult result;
        try
        {
            result = await new HostDiscovery(host, resources.ToDictionary(r => r.Token)).RunAsync(CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e) when (e is ProviderException or Netlink.NetlinkException or IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"discover: {e.Message}");
            return 1;
        }

        foreach (var l in result.LeftOut) Console.Error.WriteLine($"discover: left out {l.What}: {l.Reason}");
        Console.Error.WriteLine($"discover: found {result.Resources.Count} resources: " +
            string.Join(", ", result.Resources.GroupBy(r => r.Token).Select(g => $"{g.Count()} {g.Key.Split(':')[^1]}")));

        var text = format == "import"
            ? ImportFile.Render(result)
            : new CSharpProgram(SchemaLoader.Load(new Rpc.ResourceRegistry(resources).SchemaJson)).Render(result);
        if (output is null)
        {
            var bytes = System.Text.Encoding.UTF8.GetBytes(text);
            stdout.Write(bytes);
            stdout.Flush();
        }
        else
        {
            await File.WriteAllTextAsync(output, text).ConfigureAwait(false);
            Console.Error.WriteLine($"discover: wrote {output}");
        }
        return 0;
    }
}
