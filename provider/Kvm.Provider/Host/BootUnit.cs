namespace Kvm.Provider.Host;

/// <summary>
/// The systemd unit that re-applies a persistDir's desired state at boot: the template
/// <c>pulumi-kvm-restore@.service</c> and one enabled instance per persistDir, named by the folder
/// (<c>pulumi-kvm-restore@var-lib-pulumi\x2dkvm.service</c> for /var/lib/pulumi-kvm), whose
/// <c>ExecStart</c> runs the copy of this binary kept in that folder. One instance covers every network
/// namespace the file records; two stacks with different persistDirs get two instances of one template.
/// Enabled as `systemctl enable` does it (a symlink in <c>multi-user.target.wants</c>), without systemctl:
/// product code runs no program but ssh, and a host reached from a container or a chroot has no systemd to ask.
/// </summary>
internal sealed class BootUnit(string unitDir, string persistDir, string sourceBinary)
{
    public const string TemplateName = "pulumi-kvm-restore@.service";
    public const string WantedBy = "multi-user.target";
    public const string BinaryName = "pulumi-resource-kvm";

    /// <summary>
    /// Ordered as systemd-networkd is (it configures links too): after udev named the NICs and the file systems
    /// holding the folder are mounted, after ovs-vswitchd has made Open vSwitch's bridges again (their internal
    /// ports get their addresses here; on a host without Open vSwitch that ordering is void), before anything
    /// counts the network as up, and before libvirt's daemons
    /// (monolithic or modular) start the autostart guests, whose bridges must exist by then. No default
    /// dependencies, so it can run that early; it still stops with the system. A failure (exit code 1: an entry
    /// could not be applied; the others were) leaves the unit failed, for `systemctl --failed` to show, and
    /// does not hold libvirtd back.
    /// </summary>
    public static readonly string Template = """
        # Installed by the kvm Pulumi provider (pulumi-resource-kvm) for each persistDir (the instance, %f):
        # re-applies the host networking it declared, recorded in %f/desired-state.json, at boot.
        # Removed by the provider when the last entry is deleted. Do not edit: the provider rewrites it.
        [Unit]
        Description=Host networking declared by the kvm Pulumi provider (%f)
        DefaultDependencies=no
        Wants=network-pre.target
        After=network-pre.target systemd-udevd.service systemd-udev-trigger.service local-fs.target
        After=ovs-vswitchd.service openvswitch-switch.service
        Before=network.target network-online.target libvirtd.service virtqemud.service virtnetworkd.service
        Before=multi-user.target shutdown.target
        Conflicts=shutdown.target
        RequiresMountsFor=%f

        [Service]
        Type=oneshot
        RemainAfterExit=yes
        ExecStart=%f/pulumi-resource-kvm restore --state %f/desired-state.json

        [Install]
        WantedBy=multi-user.target

        """.ReplaceLineEndings("\n");

    public string UnitDir => unitDir;
    public string InstanceName => $"pulumi-kvm-restore@{SystemdEscape.Path(persistDir)}.service";
    public string TemplatePath => Path.Combine(unitDir, TemplateName);
    public string WantsLink => Path.Combine(unitDir, $"{WantedBy}.wants", InstanceName);
    public string BinaryPath => Path.Combine(persistDir, BinaryName);

    /// <summary>A host without the unit folder (no systemd) gets no unit: restore must be run by its own boot scripts.</summary>
    public bool Possible => Directory.Exists(unitDir);

    /// <summary>Installs or refreshes the binary copy, the template and the enabling symlink. True when something was written.</summary>
    /// <exception cref="IOException">The folder or a file cannot be written.</exception>
    public bool Install()
    {
        var changed = InstallBinary();
        changed |= InstalledFiles.WriteIfDifferent(TemplatePath, Template, InstalledFiles.Readable);
        var target = Path.Combine("..", TemplateName);
        var link = new FileInfo(WantsLink);
        if (link.LinkTarget != target)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(WantsLink)!);
            // A new link under a temporary name, renamed over: the enabling never disappears for a moment.
            var temp = $"{WantsLink}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp";
            File.CreateSymbolicLink(temp, target);
            File.Move(temp, WantsLink, overwrite: true);
            changed = true;
        }
        return changed;
    }

    /// <summary>The copy of this binary in persistDir, which neither a plugin upgrade nor a cleared ~/.pulumi can take away. True when written.</summary>
    public bool InstallBinary() => InstalledFiles.CopyIfDifferent(sourceBinary, BinaryPath);

    /// <summary>Disables this persistDir's instance and removes its binary copy; the template goes with the last instance.</summary>
    public bool Remove()
    {
        var changed = InstalledFiles.Remove(WantsLink);
        changed |= InstalledFiles.Remove(BinaryPath);
        var wants = Path.GetDirectoryName(WantsLink)!;
        var othersEnabled = Directory.Exists(wants)
            && Directory.EnumerateFileSystemEntries(wants, "pulumi-kvm-restore@*.service").Any();
        if (!othersEnabled) changed |= InstalledFiles.Remove(TemplatePath);
        return changed;
    }
}
