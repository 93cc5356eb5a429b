using System.Diagnostics;
using Kvm.Provider.Diagnostics;
using Kvm.Provider.Host;
using Kvm.Provider.Values;
using LogSeverity = Pulumirpc.LogSeverity;

namespace Kvm.Provider.Tests.Persistence;

/// <summary>
/// The boot unit that runs `restore` (issue 17): installed and enabled with the first entry, checked by systemd's own
/// `systemd-analyze verify`, kept at a binary copy of its own, removed with the last entry. Everything under a
/// temporary folder: never the machine's /etc/systemd.
/// </summary>
public sealed class BootUnitTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), $"kvm-bootunit-test-{Guid.NewGuid():N}");

    public BootUnitTests()
    {
        Directory.CreateDirectory(UnitDir);
        Directory.CreateDirectory(Path.GetDirectoryName(FakeBinary)!);
        File.WriteAllText(FakeBinary, "#!/bin/sh\nexit 0\n");
    }

    public void Dispose()
    {
        if (Directory.Exists(_root)) Directory.Delete(_root, recursive: true);
    }

    private string UnitDir => Path.Combine(_root, "etc-systemd-system");
    private string FakeBinary => Path.Combine(_root, "plugin", "pulumi-resource-kvm");
    private string PersistDir(string name = "pulumi-kvm") => Path.Combine(_root, "var-lib", name);
    private string WantsDir => Path.Combine(UnitDir, "multi-user.target.wants");

    private ProviderHost Host(string persistDir, string? unitDir = null, string? binary = null)
    {
        var host = new ProviderHost(new EngineLog(alsoToStderr: false, verbosity: 0)) { SelfBinary = binary ?? FakeBinary };
        host.Configure(new ProviderConfig { PersistDir = persistDir, SystemdUnitDir = unitDir ?? UnitDir });
        return host;
    }

    private static ObjectValue Bridge(string name) => ObjectValue.From(new Dictionary<string, PropertyValue> { ["name"] = PropertyValue.Of(name) });

    private static (int Code, string Output) Run(string program, params string[] args)
    {
        var psi = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEnd();
        p.WaitForExit();
        return (p.ExitCode, (stdout.Result + stderr).Trim());
    }

    [Theory]
    [InlineData("/var/lib/pulumi-kvm")]
    [InlineData("/srv/kvm.state/a_b:c/.hidden/x.y")]
    [InlineData("/opt/état-réseau/")]
    [InlineData("/.dot//twice")]
    public void Unit_names_escape_the_folder_as_systemd_escape_does_and_read_back(string path)
    {
        var (code, expected) = Run("systemd-escape", "--path", path);
        Assert.Equal(0, code);
        Assert.Equal(expected, SystemdEscape.Path(path));
        Assert.Equal("/" + string.Join('/', path.Split('/', StringSplitOptions.RemoveEmptyEntries)), SystemdEscape.Unpath(SystemdEscape.Path(path)));
    }

    [Fact]
    public async Task The_first_entry_installs_and_enables_a_unit_that_systemd_analyze_verifies()
    {
        using var host = Host(PersistDir());
        var note = await host.Persistence!.RecordAsync(DesiredState.Bridges, "br0", Bridge("br0"), default);

        var unit = host.Persistence.Unit!;
        Assert.Equal(@"pulumi-kvm-restore@" + SystemdEscape.Path(PersistDir()) + ".service", unit.InstanceName);
        Assert.Equal("../pulumi-kvm-restore@.service", new FileInfo(Path.Combine(WantsDir, unit.InstanceName)).LinkTarget);
        Assert.Equal(BootUnit.Template, File.ReadAllText(Path.Combine(UnitDir, "pulumi-kvm-restore@.service")));
        // The unit runs a copy of the binary in persistDir, which a plugin upgrade or a cleared ~/.pulumi cannot take away.
        var copy = Path.Combine(PersistDir(), "pulumi-resource-kvm");
        Assert.Equal(File.ReadAllBytes(FakeBinary), File.ReadAllBytes(copy));
        Assert.True(!OperatingSystem.IsWindows() && (File.GetUnixFileMode(copy) & UnixFileMode.UserExecute) != 0);
        Assert.False(note!.IsWarning);
        Assert.Contains(unit.InstanceName, note.Message, StringComparison.Ordinal);

        // systemd's own checker, on the enabled instance (the symlink's name is the instance): syntax, keys,
        // ordering against units it knows, and that ExecStart's program exists and is executable.
        var (code, output) = Run("systemd-analyze", "verify", "--man=no", Path.Combine(WantsDir, unit.InstanceName));
        Assert.True(code == 0 && output.Length == 0, $"systemd-analyze verify: exit {code}: {output}");

        // What the instance runs, with %f (the unescaped instance) as systemd expands it.
        var execStart = File.ReadAllLines(unit.TemplatePath).Single(l => l.StartsWith("ExecStart=", StringComparison.Ordinal))["ExecStart=".Length..];
        Assert.Equal($"{copy} restore --state {PersistDir()}/desired-state.json",
            execStart.Replace("%f", SystemdEscape.Unpath(unit.InstanceName["pulumi-kvm-restore@".Length..^".service".Length]), StringComparison.Ordinal));
    }

    [Fact]
    public async Task Systemd_analyze_notices_a_unit_whose_binary_is_gone()
    {
        // The check above is worth something only if verify fails when the unit could not run.
        using var host = Host(PersistDir());
        await host.Persistence!.RecordAsync(DesiredState.Bridges, "br0", Bridge("br0"), default);
        File.Delete(host.Persistence.Unit!.BinaryPath);
        var (code, output) = Run("systemd-analyze", "verify", "--man=no", host.Persistence.Unit.WantsLink);
        Assert.NotEqual(0, code);
        Assert.Contains("is not executable", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Recording_again_writes_nothing_and_a_new_binary_replaces_the_copy()
    {
        using var host = Host(PersistDir());
        await host.Persistence!.RecordAsync(DesiredState.Bridges, "br0", Bridge("br0"), default);
        Assert.Null(await host.Persistence.RecordAsync(DesiredState.Bridges, "br1", Bridge("br1"), default));

        var upgraded = Path.Combine(_root, "plugin-2", "pulumi-resource-kvm");
        Directory.CreateDirectory(Path.GetDirectoryName(upgraded)!);
        File.WriteAllText(upgraded, "#!/bin/sh\necho upgraded\n");
        using var newer = Host(PersistDir(), binary: upgraded);
        Assert.NotNull(await newer.Persistence!.RecordAsync(DesiredState.Bridges, "br1", Bridge("br1"), default));
        Assert.Equal("#!/bin/sh\necho upgraded\n", File.ReadAllText(newer.Persistence.Unit!.BinaryPath));
        Assert.Empty(Directory.EnumerateFiles(PersistDir(), "*.tmp"));
    }

    [Fact]
    public async Task The_last_entry_deleted_removes_the_instance_and_its_binary_and_the_template_goes_with_the_last_instance()
    {
        using var a = Host(PersistDir("a"));
        using var b = Host(PersistDir("b"));
        await a.Persistence!.RecordAsync(DesiredState.Bridges, "br0", Bridge("br0"), default);
        await b.Persistence!.RecordAsync(DesiredState.Bridges, "br9", Bridge("br9"), default);
        await a.Persistence.RecordAsync(DesiredState.VlanFilters, "br0/eth1", Bridge("x"), default);
        Assert.Equal(2, Directory.GetFileSystemEntries(WantsDir).Length);

        Assert.Null(await a.Persistence.ForgetAsync(DesiredState.Bridges, "br0", default));
        Assert.True(File.Exists(a.Persistence.Unit!.WantsLink), "an entry is left: the unit stays");
        var removed = await a.Persistence.ForgetAsync(DesiredState.VlanFilters, "br0/eth1", default);
        Assert.Contains("removed the boot unit", removed!.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(a.Persistence.Unit.WantsLink) || InstalledFiles.IsSymlink(a.Persistence.Unit.WantsLink));
        Assert.False(File.Exists(a.Persistence.Unit.BinaryPath));
        Assert.True(File.Exists(a.Persistence.Unit.TemplatePath), "b's instance still uses the template");

        await b.Persistence.ForgetAsync(DesiredState.Bridges, "br9", default);
        Assert.DoesNotContain(Directory.EnumerateFileSystemEntries(UnitDir, "*", SearchOption.AllDirectories), f => !Directory.Exists(f));
        Assert.Equal(["desired-state.json", "desired-state.json.lock"], Directory.GetFiles(PersistDir("b")).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Without_a_unit_folder_nothing_is_installed_there_the_binary_is_still_copied_and_the_user_is_told()
    {
        var missing = Path.Combine(_root, "no-systemd");
        using var host = Host(PersistDir(), unitDir: missing);
        var note = await host.Persistence!.RecordAsync(DesiredState.Bridges, "br0", Bridge("br0"), default);
        Assert.True(note!.IsWarning);
        Assert.Contains($"{missing} does not exist", note.Message, StringComparison.Ordinal);
        Assert.Contains($"{PersistDir()}/pulumi-resource-kvm restore --state {PersistDir()}/desired-state.json", note.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(missing));
        Assert.True(File.Exists(Path.Combine(PersistDir(), "pulumi-resource-kvm")));
        Assert.Contains("no boot unit", host.Persistence.PreviewNote("br0"), StringComparison.Ordinal);
    }

    [Fact]
    public void The_preview_names_the_file_and_the_unit()
    {
        using var host = Host(PersistDir());
        var note = host.Persistence!.PreviewNote("br0");
        Assert.Equal($"kvm:persist br0: written to {PersistDir()}/desired-state.json, re-applied at boot by the systemd unit " +
            $"{host.Persistence.Unit!.InstanceName} in {UnitDir} (`{PersistDir()}/pulumi-resource-kvm restore`)", note);
    }

    [Theory]
    [InlineData("/var/lib/pulumi kvm", "contains whitespace")]
    [InlineData("/var/lib/../pulumi-kvm", "is not normalized")]
    public void A_persistDir_the_unit_cannot_name_is_refused(string value, string reason) =>
        Assert.Contains(reason, new ProviderConfig { PersistDir = value }.Validate().Single(f => f.Property == "persistDir").Reason, StringComparison.Ordinal);

    [Fact]
    public void The_unit_folder_and_the_host_root_must_be_absolute()
    {
        var failures = new ProviderConfig { SystemdUnitDir = "etc/systemd", HostRoot = "root" }.Validate().ToDictionary(f => f.Property, f => f.Reason);
        Assert.Equal("\"etc/systemd\" is not an absolute path", failures["systemdUnitDir"]);
        Assert.Equal("\"root\" is not an absolute path", failures["hostRoot"]);
    }
}
