using Kvm.Netlink;
using Kvm.Provider.Diagnostics;
using Kvm.Provider.Host;
using Kvm.Provider.Resources;
using Kvm.Provider.Resources.VlanFilters;
using Kvm.Provider.Restore;
using Kvm.Provider.Tests.Domains;
using Kvm.Provider.Values;
using Moq;
using LogSeverity = Pulumirpc.LogSeverity;

namespace Kvm.Provider.Tests.Persistence;

/// <summary>
/// VLAN tables through persistence and `restore`, on the fake kernel (this machine's kernel has no bridge VLAN
/// filtering; bridges are restored against the real kernel in the lifecycle tests).
/// </summary>
public sealed class RestoreTests : IDisposable
{
    private const string Urn = "urn:pulumi:dev::lab::kvm:index:VlanFilter::t";

    private readonly string _dir = Path.Combine(Path.GetTempPath(), $"kvm-restore-test-{Guid.NewGuid():N}");
    private readonly FakeBridgeKernel _kernel = new();
    private readonly CapturingLog _log = new();

    public RestoreTests()
    {
        _kernel.AddBridge("br0");
        _kernel.AddPort("eth1", "br0", new VlanEntry(1, 1, true, true));
        _kernel.AddPort("eth2", "br0", new VlanEntry(1, 1, true, true));
    }

    public void Dispose()
    {
        if (Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true);
        if (Directory.Exists(_dir + "-plugin")) Directory.Delete(_dir + "-plugin", recursive: true);
    }

    private ProviderHost Host(string? persistDir)
    {
        var connections = new Mock<IHostConnections>();
        connections.SetupGet(c => c.Links).Returns(_kernel);
        connections.SetupGet(c => c.Vlans).Returns(_kernel);
        var binary = Path.Combine(_dir + "-plugin", "pulumi-resource-kvm");
        Directory.CreateDirectory(Path.GetDirectoryName(binary)!);
        File.WriteAllText(binary, "#!/bin/sh\n");
        var host = new ProviderHost(_log, _ => connections.Object) { SelfBinary = binary };
        host.Configure(new ProviderConfig { PersistDir = persistDir, SystemdUnitDir = Directory.CreateDirectory(_dir + "-plugin/units").FullName });
        return host;
    }

    private static ObjectValue Table(string port, int access) => Writer.Write(new VlanFilterArgs { Bridge = "br0", Port = port, Access = access }, inputsOnly: true);

    private static NamespaceState Tables(params (string Port, int Access)[] tables) =>
        tables.Aggregate(NamespaceState.Empty, (s, t) => s.With(DesiredState.VlanFilters, $"br0/{t.Port}", Table(t.Port, t.Access)));

    [Fact]
    public async Task Restore_writes_the_tables_and_a_second_run_sends_nothing()
    {
        using var host = Host(null);
        var problems = new List<string>();
        await new HostRestorer(host, problems.Add).RestoreAsync(Tables(("eth1", 20), ("eth2", 30)), default);

        Assert.Empty(problems);
        Assert.Equal([new VlanEntry(20, 20, true, true)], _kernel.TableOf("eth1"));
        Assert.Equal([new VlanEntry(30, 30, true, true)], _kernel.TableOf("eth2"));
        var sent = _kernel.Requests.Count;

        await new HostRestorer(host, problems.Add).RestoreAsync(Tables(("eth1", 20), ("eth2", 30)), default);
        Assert.Empty(problems);
        Assert.Equal(sent, _kernel.Requests.Count);
    }

    [Fact]
    public async Task A_missing_port_is_one_problem_and_the_other_tables_are_still_written()
    {
        using var host = Host(null);
        var problems = new List<string>();
        await new HostRestorer(host, problems.Add).RestoreAsync(Tables(("eth1", 20), ("gone0", 40), ("eth2", 30)), default);

        var problem = Assert.Single(problems);
        Assert.StartsWith("VLAN table br0/gone0: no interface named gone0", problem, StringComparison.Ordinal);
        Assert.Equal([new VlanEntry(20, 20, true, true)], _kernel.TableOf("eth1"));
        Assert.Equal([new VlanEntry(30, 30, true, true)], _kernel.TableOf("eth2"));
    }

    [Fact]
    public async Task Create_records_the_table_preview_says_so_delete_forgets_it_and_restore_puts_it_back()
    {
        using var host = Host(_dir);
        IResource r = new VlanFilterResource(host);
        var inputs = Table("eth1", 20);

        await r.CreateAsync(new CreateRequest(Urn, "t", inputs, Preview: true, null), default);
        var file = DesiredStateFile.InFolder(_dir);
        Assert.Contains(_log.Entries, l => l.Severity == LogSeverity.Info
            && l.Message.StartsWith($"kvm:persist br0/eth1: written to {file.Path}, re-applied at boot by the systemd unit pulumi-kvm-restore@", StringComparison.Ordinal));
        Assert.False(File.Exists(file.Path));

        var created = await r.CreateAsync(new CreateRequest(Urn, "t", inputs, Preview: false, null), default);
        var recorded = file.Load().Namespace("").Of(DesiredState.VlanFilters);
        Assert.True(PropertyValue.SameContent(inputs, recorded["br0/eth1"]));

        // A reboot: the port comes back with the kernel's default table; restore puts the declared one back.
        _kernel.SetTable("eth1", new VlanEntry(1, 1, true, true));
        var problems = new List<string>();
        using (var boot = Host(null))
            await new HostRestorer(boot, problems.Add).RestoreAsync(file.Load().Namespace(""), default);
        Assert.Empty(problems);
        Assert.Equal([new VlanEntry(20, 20, true, true)], _kernel.TableOf("eth1"));

        await r.DeleteAsync(new DeleteRequest(created.Id, Urn, created.State, inputs, null), default);
        Assert.Empty(file.Load().Namespaces);
    }

    [Fact]
    public async Task Refresh_warns_when_the_file_lost_or_changed_the_entry_and_the_next_up_rewrites_it()
    {
        using var host = Host(_dir);
        IResource r = new VlanFilterResource(host);
        var inputs = Table("eth1", 20);
        var created = await r.CreateAsync(new CreateRequest(Urn, "t", inputs, Preview: false, null), default);
        var file = DesiredStateFile.InFolder(_dir);
        async Task<DiffResult> DiffAsync() => await r.DiffAsync(new DiffRequest(created.Id, Urn, created.State, inputs, inputs, []), default);
        Assert.False((await DiffAsync()).HasChanges);

        // Someone edits the file: the next boot would put eth1 on VLAN 30.
        await file.UpdateAsync(s => s.With("", DesiredState.VlanFilters, "br0/eth1", Table("eth1", 30)), default);
        _log.Entries.Clear();
        var refreshed = await r.ReadAsync(new ReadRequest(created.Id, Urn, created.State, inputs), default);
        Assert.False(refreshed.IsGone);
        var warning = Assert.Single(_log.Entries, l => l.Severity == LogSeverity.Warning);
        Assert.Equal($"kvm:persist br0/eth1: {file.Path} holds other access than the stack, so a reboot would not bring back what the program declares; " +
            "the next `pulumi up` rewrites it", warning.Message);
        Assert.Equal(Urn, warning.Urn);
        Assert.Equal(30, ((NumberValue)file.Load().Namespace("").Of(DesiredState.VlanFilters)["br0/eth1"]["access"]!).Value);

        // The next up: an update that names no property (no input changed), which rewrites the file and changes no VLAN.
        var diff = await DiffAsync();
        Assert.True(diff.HasChanges && diff.RewritesPersistedState);
        Assert.Empty(diff.Detailed);
        Assert.Contains(_log.Entries, l => l.Severity == LogSeverity.Warning && l.Message.EndsWith("this update rewrites it (the host's links are not changed)", StringComparison.Ordinal));
        var requests = _kernel.Requests.Count;
        await r.UpdateAsync(new UpdateRequest(created.Id, Urn, created.State, inputs, inputs, Preview: false, [], null), default);
        Assert.Equal(requests, _kernel.Requests.Count);
        Assert.True(PropertyValue.SameContent(inputs, file.Load().Namespace("").Of(DesiredState.VlanFilters)["br0/eth1"]));
        Assert.False((await DiffAsync()).HasChanges);

        // An entry lost altogether is said so too.
        await file.UpdateAsync(s => s.Without("", DesiredState.VlanFilters, "br0/eth1"), default);
        _log.Entries.Clear();
        await r.ReadAsync(new ReadRequest(created.Id, Urn, created.State, inputs), default);
        Assert.Contains($"{file.Path} does not hold it", Assert.Single(_log.Entries).Message, StringComparison.Ordinal);
        Assert.True((await DiffAsync()).RewritesPersistedState);
    }

    [Fact]
    public async Task Without_persistDir_nothing_is_written_or_announced()
    {
        using var host = Host(null);
        IResource r = new VlanFilterResource(host);
        await r.CreateAsync(new CreateRequest(Urn, "t", Table("eth1", 20), Preview: true, null), default);
        await r.CreateAsync(new CreateRequest(Urn, "t", Table("eth1", 20), Preview: false, null), default);
        Assert.DoesNotContain(_log.Entries, l => l.Message.StartsWith("kvm:persist", StringComparison.Ordinal));
        Assert.False(Directory.Exists(_dir));
    }

    [Fact]
    public async Task Import_records_what_it_read()
    {
        _kernel.SetTable("eth2", new VlanEntry(30, 30, true, true));
        using var host = Host(_dir);
        IResource r = new VlanFilterResource(host);
        var read = await r.ReadAsync(new ReadRequest("br0/eth2", Urn, ObjectValue.Empty, ObjectValue.Empty), default);
        Assert.False(read.IsGone);
        var recorded = DesiredStateFile.InFolder(_dir).Load().Namespace("").Of(DesiredState.VlanFilters);
        Assert.True(PropertyValue.SameContent(read.Inputs, recorded["br0/eth2"]));
    }
}

/// <summary>`restore`'s command line: what it refuses before touching any host.</summary>
public sealed class RestoreCommandTests
{
    private static async Task<(int Code, string Stderr)> RunAsync(params string[] args)
    {
        var stderr = new StringWriter();
        return (await RestoreCommand.RunAsync(args, stderr), stderr.ToString());
    }

    [Fact]
    public async Task Without_state_or_with_an_unknown_argument_it_prints_usage_and_exits_2()
    {
        var (code, err) = await RunAsync();
        Assert.Equal(2, code);
        Assert.StartsWith("restore: --state FILE is required", err, StringComparison.Ordinal);
        Assert.Equal(2, (await RunAsync("--state", "/x", "--bogus")).Code);
    }

    [Fact]
    public async Task A_missing_or_foreign_file_exits_2_naming_it()
    {
        var missing = Path.Combine(Path.GetTempPath(), $"kvm-no-such-{Guid.NewGuid():N}.json");
        var (code, err) = await RunAsync("--state", missing);
        Assert.Equal(2, code);
        Assert.StartsWith($"restore: cannot read {missing}:", err, StringComparison.Ordinal);

        var foreign = Path.GetTempFileName();
        try
        {
            File.WriteAllText(foreign, "[1, 2]");
            Assert.Equal(2, (await RunAsync($"--state={foreign}")).Code);
        }
        finally
        {
            File.Delete(foreign);
        }
    }

    [Fact]
    public async Task Nothing_recorded_for_the_namespace_is_nothing_to_do()
    {
        var file = Path.GetTempFileName();
        try
        {
            File.WriteAllText(file, DesiredState.Empty.ToJson());
            var (code, err) = await RunAsync("--state", file, "--netns", "lab-x");
            Assert.Equal(0, code);
            Assert.Contains("records nothing for namespace lab-x", err, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(file);
        }
    }
}
