namespace Kvm.Demo;

/// <summary>
/// The prose around the demo's commands: act titles, remarks, commands run by hand outside Pulumi,
/// and what the host shows. The pulumi commands themselves print through <see cref="Kvm.Engine.PulumiCli"/>.
/// </summary>
public static class Narrator
{
    public static void Title(string text)
    {
        Console.WriteLine();
        Console.WriteLine(new string('=', Math.Min(100, text.Length + 6)));
        Console.WriteLine($"== {text} ==");
        Console.WriteLine(new string('=', Math.Min(100, text.Length + 6)));
    }

    public static void Say(string text) => Console.WriteLine($"\n# {text}");

    /// <summary>A command someone types outside Pulumi (ip, virsh, ovs-vsctl), shown before it runs.</summary>
    public static void Command(string command) => Console.WriteLine($"\n$ {command}");

    public static void Host(string what, string output)
    {
        Console.WriteLine($"  [host] {what}:");
        var text = output.TrimEnd();
        foreach (var line in (text.Length == 0 ? "(none)" : text).Split('\n')) Console.WriteLine($"    {line}");
    }
}
