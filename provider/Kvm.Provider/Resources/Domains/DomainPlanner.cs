using Kvm.Provider.Values;

namespace Kvm.Provider.Resources.Domains;

/// <summary>
/// The Domain's pure half: the rules that need only the inputs, the device-matched and classified
/// diff, the outputs a preview plans and the preview's lines. Never reaches libvirt or the kernel.
/// </summary>
internal sealed class DomainPlanner : Planner<DomainArgs, DomainState>
{
    public override IEnumerable<CheckFailure> Validate(CheckContext<DomainArgs> ctx) => DomainValidation.Static(ctx.News);

    public override string? HostNameOf(DomainArgs args) => args.Name;

    public override ObjectValue NormalizeInputs(ObjectValue news)
    {
        if (news[DomainArgs.Paths.Uuid] is StringValue uuid && Guid.TryParse(uuid.Value, out var g))
            news = news.With(DomainArgs.Paths.Uuid, PropertyValue.Of(g.ToString("D")));
        if (news[DomainArgs.Paths.Interfaces] is ArrayValue nics)
        {
            news = news.With(DomainArgs.Paths.Interfaces, new ArrayValue([.. nics.Items.Select(n =>
                n is ObjectValue o && o[DomainInterfaceArgs.Paths.MacAddress] is StringValue mac
                    ? o.With(DomainInterfaceArgs.Paths.MacAddress, PropertyValue.Of(DeviceMatching.Mac(mac.Value)!))
                    : n).Select(n => LowerCase(n, DomainInterfaceArgs.Paths.PciAddress))]));
        }
        if (news[DomainArgs.Paths.Disks] is ArrayValue disks)
            news = news.With(DomainArgs.Paths.Disks, new ArrayValue([.. disks.Items.Select(d => LowerCase(d, DomainDiskArgs.Paths.PciAddress))]));
        if (news[DomainArgs.Paths.CpuXml] is StringValue cpu)
            news = news.With(DomainArgs.Paths.CpuXml, PropertyValue.Of(XmlFragment.Canonical(cpu.Value)));
        // Devices as XML compare in one spelling (one line, no insignificant whitespace). Only inputs that
        // passed Check are normalised, so every fragment here parses.
        if (news[DomainArgs.Paths.DevicesXml] is ArrayValue devices && devices.Items.All(d => d is StringValue))
            news = news.With(DomainArgs.Paths.DevicesXml, new ArrayValue([.. devices.Items.Select(d => PropertyValue.Of(XmlFragment.Canonical(((StringValue)d).Value)))]));
        news = DomainMemory.Normalize(news);
        // An empty boot order means libvirt's default, which libvirt spells out as [hd].
        if (news[DomainArgs.Paths.BootDevices] is ArrayValue { Items.Length: 0 }) news = news.Without(DomainArgs.Paths.BootDevices);
        return news;
    }

    // PCI addresses are hex: one spelling, as they are reported.
    private static PropertyValue LowerCase(PropertyValue item, string key) =>
        item is ObjectValue o && o[key] is StringValue text ? o.With(key, PropertyValue.Of(text.Value.ToLowerInvariant())) : item;

    public override Plan Plan(DiffContext<DomainArgs, DomainState> ctx) =>
        DomainChanges.Plan(ctx.Default, ctx.OldState, ctx.OldInputs, ctx.News.Value, ctx.News.UnknownPaths);

    public override Outcome<DomainState> Preview(PreviewContext<DomainArgs, DomainState> ctx) =>
        ctx is { OldState: { } old, OldInputs: { } oldInputs, Plan: { } plan }
            ? DomainPreview.OfUpdate(ctx.Id, ctx.Inputs, old, oldInputs, plan)
            : DomainPreview.OfCreate(ctx.Inputs);

    public override IEnumerable<Announcement> Announce(AnnounceContext<DomainArgs, DomainState> ctx) => DomainAnnouncements.Of(ctx);
}
