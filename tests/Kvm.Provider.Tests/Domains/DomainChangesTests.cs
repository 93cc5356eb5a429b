using Kvm.Provider.Resources;
using Kvm.Provider.Resources.Domains;
using Kvm.Provider.Schema;
using Kvm.Provider.Values;

namespace Kvm.Provider.Tests.Domains;

/// <summary>The Domain's diff and its live / restart / replace table.</summary>
public class DomainChangesTests
{
    private const string Mac0 = "52:54:00:00:00:01";
    private const string Mac1 = "52:54:00:00:00:02";

    private static readonly DomainArgs Program = new()
    {
        Name = "web", Type = "kvm", MemoryMib = 1024, MaxMemoryMib = 4096, Vcpus = 2, MaxVcpus = 4, Running = true,
        ShutdownTimeoutSeconds = 60, RestartPolicy = "never",
        Interfaces = [new DomainInterfaceArgs { Type = "bridge", Bridge = "br0" }, new DomainInterfaceArgs { Type = "network", Network = "lan" }],
        Disks = [new DomainDiskArgs { TargetDev = "vda", File = "/img/web.qcow2" }],
    };

    /// <summary>What the host reports for <see cref="Program"/>: generated MACs, vnetN, uuid, a model it picked.</summary>
    private static readonly DomainState Observed = new()
    {
        Name = "web", Type = "kvm", Uuid = "4dea22b3-1d52-d8f3-2516-782e98ab3fa0", MemoryMib = 1024, MaxMemoryMib = 4096, Vcpus = 2, MaxVcpus = 4,
        Running = true, ShutdownTimeoutSeconds = 60, RestartPolicy = "never", CpuMode = "custom", Machine = "pc-q35-7.2", BootDevices = ["hd"],
        Interfaces =
        [
            new DomainInterfaceArgs { Type = "bridge", Bridge = "br0", MacAddress = Mac0, TargetDevice = "vnet3", LinkState = "up", Model = "rtl8139" },
            new DomainInterfaceArgs { Type = "network", Network = "lan", MacAddress = Mac1, TargetDevice = "vnet4", LinkState = "up" },
        ],
        Disks = [new DomainDiskArgs { TargetDev = "vda", File = "/img/web.qcow2", Device = "disk", Bus = "virtio", Format = "qcow2", ReadOnly = false }],
        State = "running", DomainId = 7, PendingRestart = [], LiveXml = "<domain/>",
    };

    private static DiffResult Diff(DomainArgs news, DomainState? old = null, DomainArgs? oldInputs = null, params string[] unknown)
    {
        old ??= Observed;
        oldInputs ??= Program;
        var byDefault = DiffEngine.Compute(ObjectShape.Of<DomainArgs>(), Writer.Write(old), Writer.Write(news), Writer.Write(oldInputs, inputsOnly: true), [], true);
        return DomainChanges.Refine(byDefault, old, oldInputs, news, unknown.ToHashSet());
    }

    private static Dictionary<string, (DiffKind, ChangeClass)> Classified(DomainArgs news, DomainState? old = null, DomainArgs? oldInputs = null) =>
        DomainChanges.Classify(Diff(news, old, oldInputs), old ?? Observed, news).ToDictionary(c => c.Path, c => (c.Kind, c.Class));

    [Fact]
    public void Values_libvirt_fills_in_are_never_changes()
    {
        Assert.False(Diff(Program).HasChanges);
    }

    [Fact]
    public void An_imported_guest_is_not_replaced_for_its_machine_alias_or_the_uuid_libvirt_chose()
    {
        // Import records libvirt's spelling; the program keeps writing q35 and no uuid.
        var imported = Program with { Uuid = Observed.Uuid, Machine = "pc-q35-7.2" };
        var diff = Diff(Program with { Machine = "q35" }, oldInputs: imported);
        Assert.False(diff.IsReplace, string.Join(", ", diff.Detailed.Keys));
        Assert.DoesNotContain(DomainArgs.Paths.Machine, diff.Detailed.Keys);
        Assert.DoesNotContain(DomainArgs.Paths.Uuid, diff.Detailed.Keys);
        // Another machine is a change, and a uuid the program sets still replaces.
        Assert.Contains(DomainArgs.Paths.Machine, Diff(Program with { Machine = "pc" }, oldInputs: imported).Detailed.Keys);
        Assert.True(Diff(Program with { Uuid = "0b5f9a52-6d21-4a0e-9d61-3c8d0f6f7a11" }, oldInputs: imported).IsReplace);
    }

    [Fact]
    public void Drift_in_what_the_program_sets_is_a_change()
    {
        var drifted = Observed with { Interfaces = [Observed.Interfaces![0] with { Bridge = "br9" }, Observed.Interfaces[1]] };
        Assert.Equal(["interfaces[0].bridge"], Diff(Program, drifted).Detailed.Keys);
    }

    [Fact]
    public void The_classification_table()
    {
        var news = Program with
        {
            MemoryMib = 2048,                        // within the maximum: live
            Vcpus = 3,                               // within the maximum: live
            Autostart = true,                        // libvirt setting: live
            CpuMode = "host-passthrough",            // restart
            Interfaces =
            [
                Program.Interfaces![0] with { LinkState = "down", Vlan = new DomainVlanArgs { Tags = [10] }, Model = "virtio" },
                Program.Interfaces[1],
                new DomainInterfaceArgs { Type = "bridge", Bridge = "br1" },   // hot-plug
            ],
            Disks = [Program.Disks![0] with { ReadOnly = true }],               // restart
        };
        var c = Classified(news);
        Assert.Equal((DiffKind.Update, ChangeClass.Live), c["memoryMib"]);
        Assert.Equal((DiffKind.Update, ChangeClass.Live), c["vcpus"]);
        Assert.Equal((DiffKind.Add, ChangeClass.Live), c["autostart"]);
        Assert.Equal((DiffKind.Update, ChangeClass.Restart), c["cpuMode"]);
        Assert.Equal((DiffKind.Update, ChangeClass.Live), c["interfaces[0].linkState"]);
        Assert.Equal((DiffKind.Add, ChangeClass.Live), c["interfaces[0].vlan"]);
        Assert.Equal((DiffKind.Update, ChangeClass.Restart), c["interfaces[0].model"]);
        Assert.Equal((DiffKind.Add, ChangeClass.Live), c["interfaces[2]"]);
        Assert.Equal((DiffKind.Update, ChangeClass.Restart), c["disks[0].readOnly"]);
        Assert.Equal(9, c.Count);
    }

    [Fact]
    public void Memory_or_vcpus_beyond_the_maximum_need_a_restart()
    {
        var c = Classified(Program with { MemoryMib = 8192, MaxMemoryMib = 8192, Vcpus = 8, MaxVcpus = 8 });
        Assert.Equal(ChangeClass.Restart, c["memoryMib"].Item2);
        Assert.Equal(ChangeClass.Restart, c["maxMemoryMib"].Item2);
        Assert.Equal(ChangeClass.Restart, c["vcpus"].Item2);
        Assert.Equal(ChangeClass.Restart, c["maxVcpus"].Item2);
    }

    [Fact]
    public void Name_uuid_and_type_replace()
    {
        var c = Classified(Program with { Name = "web2", Type = "qemu", Uuid = "11111111-1d52-d8f3-2516-782e98ab3fa0" });
        Assert.Equal((DiffKind.UpdateReplace, ChangeClass.Replace), c["name"]);
        Assert.Equal((DiffKind.UpdateReplace, ChangeClass.Replace), c["type"]);
        Assert.Equal((DiffKind.UpdateReplace, ChangeClass.Replace), c["uuid"]);
    }

    [Fact]
    public void On_a_guest_that_is_not_running_nothing_waits_for_a_restart()
    {
        var off = Observed with { Running = false, State = "shutoff", DomainId = null };
        var c = Classified(Program with { CpuMode = "host-model", Running = false }, off, Program with { Running = false });
        Assert.Equal(ChangeClass.Live, c["cpuMode"].Item2);
    }

    [Fact]
    public void Removing_the_first_nic_by_mac_deletes_that_one_only()
    {
        var news = Program with { Interfaces = [Program.Interfaces![1] with { MacAddress = Mac1 }] };
        var c = Classified(news);
        Assert.Equal((DiffKind.Delete, ChangeClass.Live), c["interfaces[0]"]);
        Assert.Single(c);
    }

    [Fact]
    public void A_nic_given_a_new_mac_is_swapped_live()
    {
        var news = Program with { Interfaces = [Program.Interfaces![0] with { MacAddress = "52:54:00:00:00:99" }, Program.Interfaces[1]] };
        var c = Classified(news);
        Assert.Equal((DiffKind.Update, ChangeClass.Live), c["interfaces[0]"]);
    }

    [Fact]
    public void Removed_inputs_are_deletions_and_unknowns_are_updates()
    {
        var withModel = Program with { Interfaces = [Program.Interfaces![0] with { Model = "rtl8139" }, Program.Interfaces[1]] };
        Assert.Equal(DiffKind.Delete, Diff(Program, Observed, withModel).Detailed["interfaces[0].model"]);
        Assert.Equal(DiffKind.Update, Diff(Program, Observed, Program, "interfaces[1].network").Detailed["interfaces[1].network"]);
        Assert.Equal(DiffKind.Delete, Diff(Program with { Disks = null }).Detailed["disks"]);
    }

    [Fact]
    public void Vlan_tags_compare_in_any_order()
    {
        var tagged = Observed with { Interfaces = [Observed.Interfaces![0] with { Vlan = new DomainVlanArgs { Tags = [10, 20], Trunk = true } }, Observed.Interfaces[1]] };
        var news = Program with { Interfaces = [Program.Interfaces![0] with { Vlan = new DomainVlanArgs { Tags = [20, 10] } }, Program.Interfaces[1]] };
        Assert.False(Diff(news, tagged).HasChanges);
    }
}
