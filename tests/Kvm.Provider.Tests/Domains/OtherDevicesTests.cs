using System.Xml.Linq;
using Kvm.Libvirt;
using Kvm.Provider.Resources.Domains;
using Kvm.Provider.Values;

namespace Kvm.Provider.Tests.Domains;

/// <summary>devicesXml: the devices without inputs of their own, kept verbatim, compared in the program's spelling.</summary>
public sealed class OtherDevicesTests
{
    private static readonly IReadOnlyDictionary<string, DomainVlanArgs> NoVlans = new Dictionary<string, DomainVlanArgs>();

    private static DomainDefinition WithDevices(string devices) => DomainXml.Parse(
        DomainFixtures.Persistent.Replace("<devices>", "<devices>" + devices, StringComparison.Ordinal));

    [Fact]
    public void Import_keeps_every_device_without_inputs_and_leaves_out_those_with_and_the_serial_console()
    {
        var args = DomainMapping.ToArgs(DomainXml.Parse(DomainFixtures.Persistent), NoVlans, reference: null);

        Assert.Equal(["emulator", "controller", "controller", "controller", "memballoon"], args.DevicesXml!.Select(d => XElement.Parse(d).Name.LocalName));
        Assert.Equal("<emulator>/usr/bin/qemu-system-x86_64</emulator>", args.DevicesXml![0]);
        Assert.DoesNotContain(args.DevicesXml!, d => d.Contains("<interface", StringComparison.Ordinal) || d.Contains("<console", StringComparison.Ordinal));
        Assert.Single(args.Interfaces!);
    }

    [Fact]
    public void A_nic_the_inputs_cannot_type_puts_all_nics_in_devices_xml()
    {
        var def = WithDevices("<interface type='vhostuser'><mac address='52:54:00:00:00:09'/><source type='unix' path='/run/v.sock' mode='client'/><model type='virtio'/></interface>");

        var nics = DomainMapping.ToArgs(def, NoVlans, reference: null).DevicesXml!.Where(d => d.StartsWith("<interface", StringComparison.Ordinal)).ToList();

        Assert.Equal(2, nics.Count);
        Assert.Contains(nics, n => n.Contains("mode=\"client\"", StringComparison.Ordinal));
        Assert.False(OtherDevices.Typed.Of(def).Interfaces);
    }

    [Fact]
    public void What_libvirt_adds_to_a_fragment_is_reported_in_the_programs_spelling()
    {
        var observed = new[] { "<rng model=\"virtio\"><backend model=\"random\">/dev/urandom</backend><address type=\"pci\" bus=\"0x05\"/></rng>", "<watchdog model=\"i6300esb\" action=\"reset\"/>" };
        var program = new[] { "<rng model=\"virtio\"><backend model=\"random\">/dev/urandom</backend></rng>" };

        Assert.Equal([program[0], observed[1]], OtherDevices.InShapeOf(observed, program));
        Assert.Equal(observed, OtherDevices.InShapeOf(observed, ["<rng model=\"virtio\"><backend model=\"egd\"/></rng>"]));
    }

    [Fact]
    public void Writing_the_same_devices_changes_nothing_and_a_change_touches_only_what_differs()
    {
        var existing = DomainXml.Parse(DomainFixtures.Persistent);
        var devices = DomainMapping.ToArgs(existing, NoVlans, reference: null).DevicesXml!;

        var same = existing.Origin.Element!.ToString();
        var root = XElement.Parse(same);
        OtherDevices.Write(root, devices, existing);
        Assert.Equal(same, root.ToString());

        // the balloon goes, an RNG comes; the controllers keep their addresses
        OtherDevices.Write(root, [.. devices.Where(d => !d.StartsWith("<memballoon", StringComparison.Ordinal)), "<rng model=\"virtio\"><backend model=\"random\">/dev/urandom</backend></rng>"], existing);
        var names = root.Element("devices")!.Elements().Select(e => e.Name.LocalName).ToList();
        Assert.DoesNotContain("memballoon", names);
        Assert.Contains("rng", names);
        Assert.Equal(3, root.Descendants("controller").Count());
        Assert.Equal(2, root.Descendants("controller").Count(c => c.Element("address") is not null));

        OtherDevices.Write(root, null, existing);
        Assert.Contains("rng", root.Element("devices")!.Elements().Select(e => e.Name.LocalName));
    }

    [Fact]
    public void Check_names_a_fragment_that_is_not_xml_or_belongs_to_a_typed_input()
    {
        var typedNics = new DomainArgs { Name = "g", Interfaces = [new DomainInterfaceArgs { Type = "network", Network = "default" }] };

        Assert.StartsWith("is not well-formed XML", OtherDevices.Problem("<rng model='virtio'>", typedNics));
        Assert.Contains("interfaces declares the NICs", OtherDevices.Problem("<interface type='user'/>", typedNics));
        Assert.Null(OtherDevices.Problem("<interface type='user'/>", typedNics with { Interfaces = null }));
        Assert.Null(OtherDevices.Problem("<sound model='ich9'/>", typedNics));
    }

    [Fact]
    public void Check_spells_fragments_one_way_so_whitespace_and_quotes_are_never_a_change()
    {
        var news = ObjectValue.From([
            new("name", PropertyValue.Of("g")),
            new("devicesXml", PropertyValue.Of([PropertyValue.Of("<rng model='virtio'>\n  <backend model='random'>/dev/urandom</backend>\n</rng>")])),
        ]);

        var normalized = new DomainPlanner().NormalizeInputs(news);

        Assert.Equal("<rng model=\"virtio\"><backend model=\"random\">/dev/urandom</backend></rng>",
            ((StringValue)((ArrayValue)normalized["devicesXml"]!).Items[0]).Value);
    }
}
