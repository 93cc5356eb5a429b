using Kvm.Libvirt;

namespace Kvm.Provider.Resources.Domains;

/// <summary>
/// The disk inputs beyond its backing and cache settings: virtio driver switches, PCI address and boot
/// order, written and read back the way <see cref="DomainMapping"/> does the rest.
/// </summary>
internal static class DiskDetails
{
    /// <summary>Whether the inputs set something on <c>&lt;driver&gt;</c> (which then needs its name).</summary>
    public static bool SetsDriver(DomainDiskArgs d) =>
        d.Format is not null || d.Cache is not null || d.Io is not null || d.Discard is not null
        || d.EventIdx is not null || d.Ioeventfd is not null || d.Queues is not null;

    public static DomainDisk Write(DomainDiskArgs d, DomainDiskArgs? old, DomainDisk disk) => disk with
    {
        DriverEventIdx = DomainMapping.PickValue(d.EventIdx, old?.EventIdx, disk.DriverEventIdx),
        DriverIoeventfd = DomainMapping.PickValue(d.Ioeventfd, old?.Ioeventfd, disk.DriverIoeventfd),
        DriverQueues = DomainMapping.PickValue(d.Queues, old?.Queues, disk.DriverQueues),
        Address = PciAddress.Write(d.PciAddress, old?.PciAddress, disk.Address),
        BootOrder = DomainMapping.PickValue(d.BootOrder, old?.BootOrder, disk.BootOrder),
    };

    public static DomainDiskArgs Read(DomainDisk d, DomainDiskArgs args) => args with
    {
        EventIdx = d.DriverEventIdx,
        Ioeventfd = d.DriverIoeventfd,
        Queues = d.DriverQueues,
        PciAddress = PciAddress.Of(d.Address),
        BootOrder = d.BootOrder,
    };
}
