namespace Kvm.Lab;

/// <summary>
/// Once-per-process lab preparation every fixture calls first: install the Debian packages the
/// lab needs when they are missing (tests/lab/install-packages.sh; quick when all are there),
/// and sweep what a crashed earlier run left (tests/lab/lab-sweep.sh: only kvmlab-&lt;pid&gt;-*
/// namespaces, folders and kernel VMs whose owner pid is gone).
/// </summary>
public static class LabSetup
{
    /// <summary>The prefix of every namespace, folder and VM name the fixtures make.</summary>
    public const string Prefix = "kvmlab";

    private static readonly Lazy<bool> packages = new(() =>
    {
        Shell.Run("sh", [LabPaths.Script("install-packages.sh")], stdin: null, timeout: TimeSpan.FromMinutes(15))
            .EnsureSuccess("tests/lab/install-packages.sh");
        return true;
    });

    private static readonly Lazy<bool> swept = new(() =>
    {
        Shell.Run("sh", [LabPaths.Script("lab-sweep.sh")], stdin: null, timeout: TimeSpan.FromMinutes(2))
            .EnsureSuccess("tests/lab/lab-sweep.sh");
        return true;
    });

    /// <summary>Whether this runs inside the kernel VM (its init sets KVMLAB_KERNEL_VM=1).</summary>
    public static bool InKernelVm => Environment.GetEnvironmentVariable("KVMLAB_KERNEL_VM") == "1";

    /// <summary>
    /// Installs the lab's packages if needed and sweeps stale leftovers; runs once per process.
    /// Inside the kernel VM neither applies (the machine's root, read-only, with fresh /tmp and
    /// /run), and each process start there costs a good part of a second.
    /// </summary>
    public static void Ensure()
    {
        if (InKernelVm) return;
        _ = packages.Value;
        _ = swept.Value;
    }

    /// <summary>A fresh name <c>kvmlab-&lt;our pid&gt;-&lt;random&gt;</c>: the pid lets lab-sweep.sh tell stale ones.</summary>
    public static string NewName() => $"{Prefix}-{Environment.ProcessId}-{Guid.NewGuid().ToString("N")[..8]}";
}
