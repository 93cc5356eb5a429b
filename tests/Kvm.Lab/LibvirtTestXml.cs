using System.Text.RegularExpressions;

namespace Kvm.Lab;

/// <summary>One of libvirt's own test files: its name and its XML (libvirt's words, nobody's here).</summary>
public sealed record LibvirtTestFile(string Name, string Xml);

/// <summary>
/// libvirt's own test XMLs for the installed libvirt, from Debian's source package
/// (tests/lab/fetch-libvirt-tests.sh, cached): network definitions (tests/networkxml2xmlin) and guests
/// with every kind of NIC (tests/qemuxml2argvdata/net-*), to be loaded into libvirt's test driver.
/// </summary>
public static partial class LibvirtTestXml
{
    private static readonly Lazy<string> folder = new(() =>
        Shell.Run("sh", [LabPaths.Script("fetch-libvirt-tests.sh")], stdin: null, timeout: TimeSpan.FromMinutes(10))
            .EnsureSuccess("tests/lab/fetch-libvirt-tests.sh").StdOut.Trim());

    /// <summary>The cache folder, named after the libvirt version the files come from.</summary>
    public static string Folder => folder.Value;

    public static string Version => Path.GetFileName(Folder);

    public static IReadOnlyList<LibvirtTestFile> Networks => Files("networkxml2xmlin");

    public static IReadOnlyList<LibvirtTestFile> Guests => Files("qemuxml2argvdata");

    /// <summary>
    /// A node file for libvirt's test driver (test:///PATH) holding the objects given: each opening of
    /// it is a host of its own. Guests are made test-driver guests (type 'test'); everything else stays as written.
    /// </summary>
    public static string Node(params string[] objects) =>
        "<node>\n" + string.Join("\n", objects.Select(o => TestDomainType().Replace(XmlDeclaration().Replace(o, ""), "<domain type='test'"))) + "\n</node>\n";

    private static IReadOnlyList<LibvirtTestFile> Files(string subfolder) =>
        [.. Directory.GetFiles(Path.Combine(Folder, subfolder), "*.xml").Order(StringComparer.Ordinal)
            .Select(f => new LibvirtTestFile(Path.GetFileName(f), File.ReadAllText(f)))];

    [GeneratedRegex(@"<\?xml[^>]*\?>")]
    private static partial Regex XmlDeclaration();

    [GeneratedRegex(@"<domain\s+type=['""](qemu|kvm)['""]")]
    private static partial Regex TestDomainType();
}
