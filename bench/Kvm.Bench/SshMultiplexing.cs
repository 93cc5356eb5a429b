using Kvm.Lab;

namespace Kvm.Bench;

/// <summary>
/// ssh connection multiplexing as a user turns it on in the workstation's ~/.ssh/config: ControlMaster
/// auto, ControlPersist, a ControlPath in a throwaway folder under the lab's state folder. The first ssh
/// to a host becomes a master that stays up; later ones, the plugin's included (it runs the system's ssh
/// with the user's config), open a session in that connection. Dispose stops the masters and puts the
/// config back.
/// </summary>
public sealed class SshMultiplexing : IDisposable
{
    private readonly RemoteLab _lab;
    private readonly string _config;
    private readonly string _folder;

    private SshMultiplexing(RemoteLab lab, string config, string folder)
    {
        _lab = lab;
        _config = config;
        _folder = folder;
    }

    public static SshMultiplexing Enable(RemoteLab lab)
    {
        var folder = Path.Combine(lab.Workstation.Mounts.StateDir, "ssh-mux");
        Directory.CreateDirectory(folder);
        var config = File.ReadAllText(lab.SshConfigPath);
        // After the hN entries, which set none of these: ssh takes each option from the first entry that sets it.
        File.AppendAllText(lab.SshConfigPath, $"\nHost *\n    ControlMaster auto\n    ControlPath {folder}/%C\n    ControlPersist 300\n");
        return new SshMultiplexing(lab, config, folder);
    }

    public void Dispose()
    {
        // `ssh -O exit` fails where no master runs: nothing to stop there.
        foreach (var host in _lab.Hosts) _lab.SshWith(["-O", "exit", host.Alias]);
        Poll.Until(() => Directory.GetFileSystemEntries(_folder).Length == 0, TimeSpan.FromSeconds(10), "the ssh multiplexing masters to stop");
        File.WriteAllText(_lab.SshConfigPath, _config);
    }
}
