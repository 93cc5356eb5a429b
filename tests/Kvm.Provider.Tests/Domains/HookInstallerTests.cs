using Kvm.Provider.Resources.Domains;

namespace Kvm.Provider.Tests.Domains;

[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class HookInstallerTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), $"kvm-hooks-test-{Guid.NewGuid():N}");
    private readonly string _binary;

    public HookInstallerTests()
    {
        Directory.CreateDirectory(_dir);
        _binary = Path.Combine(_dir, "source-binary");
        File.WriteAllText(_binary, "#!/bin/sh\necho fake provider\n");
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Installs_the_script_and_a_copy_of_the_binary_once()
    {
        var hooks = Path.Combine(_dir, "hooks");
        var installer = new HookInstaller(hooks, _binary);
        var first = installer.Ensure();
        Assert.True(first.Changed);
        Assert.True(first.FirstQemuHook);
        Assert.Equal(Path.Combine(hooks, "qemu.d", "pulumi-kvm-guest-vlans"), first.ScriptPath);
        Assert.Equal(HookInstaller.Script, File.ReadAllText(first.ScriptPath));
        Assert.True((File.GetUnixFileMode(first.ScriptPath) & UnixFileMode.UserExecute) != 0);
        Assert.Equal(File.ReadAllBytes(_binary), File.ReadAllBytes(installer.BinaryPath));
        Assert.True((File.GetUnixFileMode(installer.BinaryPath) & UnixFileMode.OtherExecute) != 0);

        var again = installer.Ensure();
        Assert.False(again.Changed);
        Assert.False(again.FirstQemuHook);

        File.AppendAllText(_binary, "# a newer provider\n");
        var upgraded = installer.Ensure();
        Assert.True(upgraded.Changed);
        Assert.False(upgraded.FirstQemuHook);
        Assert.Equal(File.ReadAllBytes(_binary), File.ReadAllBytes(installer.BinaryPath));
        Assert.Empty(Directory.GetFiles(installer.StateDir, "*.tmp"));
    }

    [Fact]
    public void Another_qemu_hook_means_libvirtd_already_runs_hooks()
    {
        var hooks = Path.Combine(_dir, "hooks2");
        Directory.CreateDirectory(Path.Combine(hooks, "qemu.d"));
        var other = Path.Combine(hooks, "qemu.d", "someone-elses");
        File.WriteAllText(other, "#!/bin/sh\n");
        File.SetUnixFileMode(other, UnixFileMode.UserRead | UnixFileMode.UserExecute);
        var status = new HookInstaller(hooks, _binary).Ensure();
        Assert.True(status.Changed);
        Assert.False(status.FirstQemuHook);
    }

    [Fact]
    public void Reads_and_forgets_the_start_marker_the_hook_writes()
    {
        var installer = new HookInstaller(Path.Combine(_dir, "hooks3"), _binary);
        var uuid = Guid.NewGuid();
        Assert.Null(installer.LastStart(uuid));
        Directory.CreateDirectory(Path.Combine(installer.StateDir, QemuHook.StartedFolder));
        File.WriteAllText(Path.Combine(installer.StateDir, QemuHook.StartedFolder, uuid.ToString("D")), "1700000000000\n");
        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(1700000000000), installer.LastStart(uuid));
        installer.Forget(uuid);
        Assert.Null(installer.LastStart(uuid));
    }

    [Fact]
    public void The_script_runs_the_binary_next_to_it_for_start_and_only_drains_stdin_otherwise()
    {
        // Run the real script with a stand-in binary that records its arguments.
        var hooks = Path.Combine(_dir, "hooks4");
        var record = Path.Combine(_dir, "args.txt");
        File.WriteAllText(_binary, $"#!/bin/sh\necho \"$@\" > {record}\ncat > /dev/null\n");
        var installer = new HookInstaller(hooks, _binary);
        var script = installer.Ensure().ScriptPath;

        Run(script, "g1", "prepare", "begin", "-");
        Assert.False(File.Exists(record));
        Run(script, "g1", "start", "begin", "-");
        Assert.Equal($"qemu-hook --state-dir {Path.Combine(hooks, "qemu.d")}/../pulumi-kvm g1 start begin -", File.ReadAllText(record).Trim());
    }

    private static void Run(string script, params string[] args)
    {
        var psi = new System.Diagnostics.ProcessStartInfo(script) { RedirectStandardInput = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = System.Diagnostics.Process.Start(psi)!;
        p.StandardInput.Write("<domain/>");
        p.StandardInput.Close();
        p.WaitForExit();
        Assert.Equal(0, p.ExitCode);
    }
}
