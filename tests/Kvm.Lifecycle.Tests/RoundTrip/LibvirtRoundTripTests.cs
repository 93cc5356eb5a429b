using Kvm.Engine;
using Kvm.Lab;

namespace Kvm.Lifecycle.Tests.RoundTrip;

/// <summary>
/// Import fidelity on real XML nobody here wrote: every network of libvirt's tests/networkxml2xmlin
/// and every guest of tests/qemuxml2argvdata/net-* goes through <see cref="RoundTrip"/>. Each file's
/// outcome is compared with <see cref="RoundTripExpectations"/>, which says for every file that does
/// not come back identical what happens and why: a file that gets better fails the test too, so the
/// list stays true. The counts go to artifacts/roundtrip.md (and the README).
/// </summary>
public sealed class LibvirtRoundTripTests : IDisposable
{
    private readonly DirectoryInfo _work = Directory.CreateTempSubdirectory("kvm-roundtrip-");
    private readonly LabNamespace _ns = LabNamespace.Create("kvmrt");
    private PrivateLibvirtd? _libvirtd;

    [Fact]
    public async Task Networks_of_libvirts_tests_import_and_re_create() =>
        await CheckAsync("networks", "kvm:index:LibvirtNetwork", "xml", LibvirtTestXml.Networks, RoundTripExpectations.Networks);

    [Fact]
    public async Task Guests_with_every_kind_of_nic_import_and_re_create() =>
        await CheckAsync("guests", "kvm:index:Domain", "liveXml", LibvirtTestXml.Guests, RoundTripExpectations.Guests);

    private async Task CheckAsync(string what, string type, string xmlOutput, IReadOnlyList<LibvirtTestFile> files, IReadOnlyDictionary<string, string> expected)
    {
        var outcomes = new List<RoundTripOutcome>();
        foreach (var file in files)
        {
            var outcome = await RoundTrip.RunAsync(type, xmlOutput, file, _work.FullName, _ns.Name);
            outcomes.Add(outcome.Kind == RoundTripOutcome.ImportFails ? AskLibvirtd(type, file, outcome) : outcome);
        }
        RoundTripReport.Write(what, outcomes);

        var unexpected = outcomes
            .Where(o => (expected.TryGetValue(o.File, out var kind) ? kind : RoundTripOutcome.Identical) != o.Kind)
            .Select(o => $"  {o} (expected: {(expected.TryGetValue(o.File, out var k) ? k : RoundTripOutcome.Identical)})")
            .ToList();
        var stale = expected.Keys.Except(outcomes.Select(o => o.File)).ToList();
        Assert.True(unexpected.Count == 0 && stale.Count == 0,
            $"{what} of libvirt {LibvirtTestXml.Version}: {RoundTripReport.Summary(outcomes)}\n" +
            (unexpected.Count > 0 ? "outcomes other than RoundTripExpectations says:\n" + string.Join("\n", unexpected) + "\n" : "") +
            (stale.Count > 0 ? "expected files libvirt no longer has: " + string.Join(", ", stale) : ""));
    }

    /// <summary>
    /// The test driver checks less than libvirtd does at define (bridge_driver.c networkValidate, the QEMU
    /// driver's validation): a file the plugin refuses is put to a real libvirtd, and when that refuses it
    /// too the plugin's refusal is right, and it is reported as such, with both reasons.
    /// </summary>
    private RoundTripOutcome AskLibvirtd(string type, LibvirtTestFile file, RoundTripOutcome refused)
    {
        _libvirtd ??= PrivateLibvirtd.Start();
        var path = Path.Combine(_work.FullName, "define-" + file.Name);
        File.WriteAllText(path, file.Xml);
        var define = _libvirtd.TryVirsh(type.EndsWith(":Domain", StringComparison.Ordinal) ? "define" : "net-define", path);
        if (define.ExitCode == 0) return refused;
        // virsh says "error: Failed to define network from FILE", then libvirtd's reason.
        var why = string.Join(" ", define.StdErr.Split('\n').Select(l => l.Trim().Replace("error: ", "", StringComparison.Ordinal))
            .Where(l => l.Length > 0 && !l.StartsWith("Failed to define", StringComparison.Ordinal)));
        return refused with { Kind = RoundTripOutcome.LibvirtdRefuses, Detail = $"libvirtd: {why}; the plugin: {refused.Detail}" };
    }

    public void Dispose()
    {
        _libvirtd?.Dispose();
        _ns.Dispose();
        _work.Delete(recursive: true);
    }
}
