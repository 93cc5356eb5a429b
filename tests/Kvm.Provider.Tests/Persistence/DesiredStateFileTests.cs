using Kvm.Provider.Host;
using Kvm.Provider.Values;

namespace Kvm.Provider.Tests.Persistence;

/// <summary>The desired-state file kept under persistDir: its format, its entries per namespace, and its atomic, locked rewrite.</summary>
public sealed class DesiredStateFileTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), $"kvm-persist-test-{Guid.NewGuid():N}");

    public void Dispose()
    {
        if (Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true);
    }

    private static ObjectValue Bridge(string name, int mtu) => ObjectValue.From(new Dictionary<string, PropertyValue>
    {
        ["name"] = PropertyValue.Of(name),
        ["mtu"] = PropertyValue.Of(mtu),
        ["up"] = PropertyValue.True,
        ["forwardDelay"] = PropertyValue.Of(1.5),
        ["ports"] = PropertyValue.Of([PropertyValue.Of("veth0"), PropertyValue.Of("veth1")]),
        ["portOptions"] = PropertyValue.Of([ObjectValue.From(new Dictionary<string, PropertyValue> { ["port"] = PropertyValue.Of("veth0"), ["hairpin"] = PropertyValue.True, ["cost"] = PropertyValue.Of(7) })]),
        ["addresses"] = PropertyValue.Of([PropertyValue.Of("192.168.7.1/24")]),
        ["gateway"] = PropertyValue.Of("192.168.7.254"),
    });

    private DesiredStateFile NewFile() => DesiredStateFile.InFolder(_dir);

    [Fact]
    public async Task Round_trip_keeps_every_value_and_type()
    {
        var file = NewFile();
        await file.UpdateAsync(s => s.With("lab-1", DesiredState.Bridges, "br0", Bridge("br0", 9000)), default);
        var loaded = file.Load();
        var br0 = loaded.Namespace("lab-1").Of(DesiredState.Bridges)["br0"];
        Assert.True(PropertyValue.SameContent(Bridge("br0", 9000), br0));
        Assert.Equal(9000, ((NumberValue)br0["mtu"]!).Value);
        Assert.Equal(1.5, ((NumberValue)br0["forwardDelay"]!).Value);
        Assert.Equal(loaded.ToJson(), DesiredState.Parse(loaded.ToJson()).ToJson());
        Assert.Contains("\"mtu\": 9000", File.ReadAllText(file.Path), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Entries_are_kept_per_namespace()
    {
        var file = NewFile();
        await file.UpdateAsync(s => s.With("lab-1", DesiredState.Bridges, "br0", Bridge("br0", 1500)), default);
        await file.UpdateAsync(s => s.With("", DesiredState.Bridges, "br0", Bridge("br0", 9000)), default);
        await file.UpdateAsync(s => s.With("lab-1", DesiredState.VlanFilters, "br0/veth0", ObjectValue.From(new Dictionary<string, PropertyValue>
        {
            ["bridge"] = PropertyValue.Of("br0"), ["port"] = PropertyValue.Of("veth0"), ["access"] = PropertyValue.Of(20),
        })), default);

        var state = file.Load();
        Assert.Equal(["", "lab-1"], state.Namespaces.Keys);
        Assert.Equal(9000, ((NumberValue)state.Namespace("").Of(DesiredState.Bridges)["br0"]["mtu"]!).Value);
        Assert.Equal(1500, ((NumberValue)state.Namespace("lab-1").Of(DesiredState.Bridges)["br0"]["mtu"]!).Value);
        Assert.Empty(state.Namespace("").Of(DesiredState.VlanFilters));
        Assert.Single(state.Namespace("lab-1").Of(DesiredState.VlanFilters));
    }

    [Fact]
    public async Task Forget_removes_the_entry_and_an_emptied_namespace_but_nothing_else()
    {
        var file = NewFile();
        await file.UpdateAsync(s => s.With("a", DesiredState.Bridges, "br0", Bridge("br0", 1500)).With("a", DesiredState.Bridges, "br1", Bridge("br1", 1500))
            .With("b", DesiredState.Bridges, "br0", Bridge("br0", 1500)), default);

        await file.UpdateAsync(s => s.Without("a", DesiredState.Bridges, "br0"), default);
        Assert.Equal(["br1"], file.Load().Namespace("a").Of(DesiredState.Bridges).Keys);
        Assert.Equal(["br0"], file.Load().Namespace("b").Of(DesiredState.Bridges).Keys);

        await file.UpdateAsync(s => s.Without("a", DesiredState.Bridges, "br1").Without("b", DesiredState.Bridges, "br0"), default);
        Assert.Empty(file.Load().Namespaces);
        Assert.DoesNotContain("br0", File.ReadAllText(file.Path), StringComparison.Ordinal);
        // Forgetting what is not there is not an error (a delete retried).
        await file.UpdateAsync(s => s.Without("a", DesiredState.Bridges, "br9"), default);
    }

    [Fact]
    public async Task The_file_is_replaced_whole_readers_never_see_half_of_it_and_no_temporary_file_is_left()
    {
        var file = NewFile();
        await file.UpdateAsync(s => s.With("lab", DesiredState.Bridges, "br-seed", Bridge("br-seed", 1500)), default);
        using var stop = new CancellationTokenSource();
        var reads = 0;
        var reading = new TaskCompletionSource();
        var reader = Task.Run(() =>
        {
            // Every read while writers are at work parses: the rename swaps whole files.
            while (!stop.IsCancellationRequested)
            {
                _ = DesiredState.Parse(File.ReadAllText(file.Path));
                reads++;
                reading.TrySetResult();
            }
        });
        await reading.Task;
        // Two store objects on the same path stand for two writers (a second stack's provider, say).
        var writers = Enumerable.Range(0, 40).Select(i => (i % 2 == 0 ? file : NewFile())
            .UpdateAsync(s => s.With("lab", DesiredState.Bridges, $"br{i}", Bridge($"br{i}", 1500 + i)), default));
        await Task.WhenAll(writers);
        await stop.CancelAsync();
        await reader;

        Assert.True(reads > 0);
        Assert.Equal(41, file.Load().Namespace("lab").Of(DesiredState.Bridges).Count);
        Assert.Equal([DesiredStateFile.FileName, DesiredStateFile.FileName + ".lock"], Directory.GetFiles(_dir).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        if (!OperatingSystem.IsWindows()) Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file.Path));
    }

    [Fact]
    public async Task An_unchanged_state_is_not_written_again()
    {
        var file = NewFile();
        await file.UpdateAsync(s => s.With("lab", DesiredState.Bridges, "br0", Bridge("br0", 1500)), default);
        var before = File.GetLastWriteTimeUtc(file.Path);
        File.SetLastWriteTimeUtc(file.Path, before.AddHours(-1));
        await file.UpdateAsync(s => s.With("lab", DesiredState.Bridges, "br0", Bridge("br0", 1500)), default);
        Assert.Equal(before.AddHours(-1), File.GetLastWriteTimeUtc(file.Path));
    }

    [Fact]
    public async Task A_file_it_cannot_read_is_refused_and_left_as_it_is()
    {
        Directory.CreateDirectory(_dir);
        var file = NewFile();
        File.WriteAllText(file.Path, "{\"version\": 99}");
        var e = await Assert.ThrowsAsync<FormatException>(() => file.UpdateAsync(s => s.With("lab", DesiredState.Bridges, "br0", Bridge("br0", 1500)), default));
        Assert.Contains("version 99", e.Message, StringComparison.Ordinal);
        Assert.Equal("{\"version\": 99}", File.ReadAllText(file.Path));
        Assert.Throws<FormatException>(() => DesiredState.Parse("not json"));
    }

    [Fact]
    public void No_file_yet_is_an_empty_state()
    {
        Assert.Empty(NewFile().Load().Namespaces);
        Assert.False(Directory.Exists(_dir));
    }
}

/// <summary>The persistDir key: refused at preview when it cannot name a folder on the host; off when unset.</summary>
public sealed class PersistDirConfigTests
{
    private static Dictionary<string, string> Failures(ProviderConfig config) => config.Validate().ToDictionary(f => f.Property, f => f.Reason);

    [Fact]
    public void An_absolute_path_is_taken_and_unset_means_off()
    {
        Assert.Empty(Failures(new ProviderConfig { PersistDir = "/var/lib/pulumi-kvm" }));
        using var host = new ProviderHost(new Diagnostics.EngineLog(alsoToStderr: false, verbosity: 0));
        Assert.Null(host.Persistence);
        host.Configure(new ProviderConfig { PersistDir = "/var/lib/pulumi-kvm" });
        Assert.Equal("/var/lib/pulumi-kvm/desired-state.json", host.Persistence!.FilePath);
        Assert.Equal("", host.Persistence.Netns);
    }

    [Theory]
    [InlineData("relative/dir", "\"relative/dir\" is not an absolute path")]
    [InlineData("/var/lib/\nx", "must not contain control characters")]
    public void Other_values_are_refused_naming_the_key(string value, string reason) =>
        Assert.Equal(reason, Failures(new ProviderConfig { PersistDir = value })["persistDir"]);
}
