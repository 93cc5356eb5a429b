using System.Diagnostics;

namespace Kvm.Lab;

/// <summary>What a command run in the kernel VM did: its exit code and its combined stdout+stderr.</summary>
public sealed record KernelVmResult(int ExitCode, string Output)
{
    /// <summary>The VM's serial console (kernel messages, the init's markers): for diagnostics only.</summary>
    public string Console { get; init; } = "";

    /// <summary>How long boot + command + power-off took.</summary>
    public TimeSpan Elapsed { get; init; }

    public KernelVmResult EnsureSuccess(string what = "kernel VM script")
    {
        if (ExitCode != 0)
            throw new InvalidOperationException($"{what} failed with exit code {ExitCode}:{Environment.NewLine}{Output}");
        return this;
    }
}

/// <summary>The boot files of the kernel VM (also usable for tiny libvirt guests).</summary>
/// <param name="Kernel">The uncompressed vmlinux (or the bzImage when it could not be extracted).</param>
/// <param name="Initrd">The initramfs: busybox, the modules, tests/lab/kernel-vm-init.sh as /init.</param>
public sealed record KernelVmBoot(string Kernel, string Initrd, string KernelVersion);

/// <summary>
/// Debian's generic kernel booted under qemu (TCG) for tests that need what this machine's
/// kernel lacks (bridge VLAN filtering, 8021q, dummy, bonding, openvswitch...). The host root is
/// shared read-only over 9p and the command runs chrooted into it, as root, with private tmpfs
/// on /tmp and /run; the VM has no network device at all. Each <see cref="Run"/> boots a fresh
/// VM (about 3-5 s). The kernel and initramfs are built once into .cache/kernel-vm
/// (tests/lab/build-kernel-vm.sh). Programs from the host run inside, but JIT-heavy ones (dotnet)
/// are 40-50x slower under TCG: run small pre-built binaries, shell and iproute2.
/// </summary>
public static class KernelVm
{
    private static readonly Lazy<KernelVmBoot> boot = new(Build);

    /// <summary>The boot files, built (or found in the cache) on first use.</summary>
    public static KernelVmBoot Boot => boot.Value;

    private static KernelVmBoot Build()
    {
        LabSetup.Ensure();
        var dir = Shell.Run("sh", [LabPaths.Script("build-kernel-vm.sh")], stdin: null, timeout: TimeSpan.FromMinutes(20))
            .EnsureSuccess("tests/lab/build-kernel-vm.sh").StdOut.Trim();
        var kernel = Path.Combine(dir, "vmlinux");
        if (!File.Exists(kernel)) kernel = Path.Combine(dir, "bzImage");
        return new KernelVmBoot(kernel, Path.Combine(dir, "initrd.gz"), Path.GetFileName(dir));
    }

    /// <summary>
    /// Boots the VM, runs <paramref name="shellScript"/> (the text of a /bin/sh script; not
    /// limited by the kernel command line: it is passed as a file) and returns its exit code and
    /// output. <paramref name="timeout"/> bounds the whole VM run; past it the VM is killed and a
    /// <see cref="TimeoutException"/> thrown. In the script, the current folder (/run/kvmlab) is a
    /// read-write share of a host folder; the rest of the host is read-only.
    /// </summary>
    /// <param name="sharedFolder">
    /// A host folder to be that share instead of a fresh one, kept afterwards: what one boot writes there the next
    /// boot finds (a disk that survives a reboot). Its script.sh, output, exitcode and console.log are the run's own.
    /// </param>
    public static KernelVmResult Run(string shellScript, TimeSpan timeout, string? sharedFolder = null)
    {
        _ = Boot;
        var job = sharedFolder ?? Path.Combine(Path.GetTempPath(), $"{LabSetup.Prefix}-vm-{Environment.ProcessId}-{Guid.NewGuid().ToString("N")[..8]}");
        Directory.CreateDirectory(job);
        try
        {
            var script = Path.Combine(job, "script.sh");
            File.WriteAllText(script, shellScript.ReplaceLineEndings("\n"));
            var seconds = Math.Max(1, (int)Math.Ceiling(timeout.TotalSeconds));
            var sw = Stopwatch.StartNew();
            // kernel-vm-run.sh wraps qemu in `timeout`, so the VM ends even if this process dies;
            // -name kvmlab-vm-<our pid> lets lab-sweep.sh find it otherwise.
            var r = Shell.Run("sh", [LabPaths.Script("kernel-vm-run.sh"), "-t", seconds.ToString(System.Globalization.CultureInfo.InvariantCulture), "-j", job, script],
                stdin: null, timeout: timeout + TimeSpan.FromMinutes(1),
                env: new Dictionary<string, string> { ["KVMLAB_OWNER"] = Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture) });
            sw.Stop();
            var console = ReadOrEmpty(Path.Combine(job, "console.log"));
            var exitFile = Path.Combine(job, "exitcode");
            if (File.Exists(exitFile) && int.TryParse(File.ReadAllText(exitFile).Trim(), out var code))
                return new KernelVmResult(code, ReadOrEmpty(Path.Combine(job, "output"))) { Console = console, Elapsed = sw.Elapsed };
            if (r.ExitCode == 124)
                throw new TimeoutException($"the kernel VM did not finish within {timeout}. Console:{Environment.NewLine}{Tail(console)}");
            throw new InvalidOperationException(
                $"the kernel VM ended without running the script (exit {r.ExitCode}): {r.StdErr.Trim()}{Environment.NewLine}Console:{Environment.NewLine}{Tail(console)}");
        }
        finally
        {
            if (sharedFolder is null) Shell.Run("rm", "-rf", "--one-file-system", job);
        }
    }

    private static string ReadOrEmpty(string path) => File.Exists(path) ? File.ReadAllText(path) : "";

    private static string Tail(string text) => string.Join(Environment.NewLine, text.Split('\n').TakeLast(40));
}
