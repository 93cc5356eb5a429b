namespace Kvm.Netlink.Tests.Vlans;

public sealed class VlanTableTests
{
    private static readonly VlanEntry Pvid1 = new(1, 1, Pvid: true, Untagged: true);

    [Fact]
    public void Compress_merges_consecutive_vids_with_equal_flags()
    {
        var compressed = VlanTable.Compress(
        [
            VlanEntry.Of(12), VlanEntry.Of(10), VlanEntry.Of(11), VlanEntry.Of(13, 20),
            VlanEntry.Of(21) with { Untagged = true }, VlanEntry.Of(22) with { Untagged = true },
            VlanEntry.Of(30), VlanEntry.Of(30),
        ]);

        Assert.Equal(
        [
            VlanEntry.Of(10, 20),
            new VlanEntry(21, 22, Pvid: false, Untagged: true),
            VlanEntry.Of(30),
        ], compressed);
    }

    [Fact]
    public void Compress_keeps_the_pvid_on_its_own()
    {
        var compressed = VlanTable.Compress([VlanEntry.Of(1, 4) with { Untagged = true }, new VlanEntry(5, 5, Pvid: true, Untagged: true), new VlanEntry(6, 9, false, true)]);

        Assert.Equal(
        [
            new VlanEntry(1, 4, false, true),
            new VlanEntry(5, 5, true, true),
            new VlanEntry(6, 9, false, true),
        ], compressed);
    }

    [Fact]
    public void Compress_refuses_contradictions()
    {
        Assert.Throws<ArgumentException>(() => VlanTable.Compress([VlanEntry.Of(10, 20), VlanEntry.Of(15) with { Untagged = true }]));
        Assert.Throws<ArgumentException>(() => VlanTable.Compress([Pvid1, new VlanEntry(2, 2, Pvid: true, Untagged: false)]));
        Assert.Throws<ArgumentOutOfRangeException>(() => VlanTable.Compress([VlanEntry.Of(0)]));
    }

    [Fact]
    public void Diff_of_equal_tables_is_empty_whatever_the_spelling()
    {
        var delta = VlanTable.Diff([Pvid1, VlanEntry.Of(10, 20)], [VlanEntry.Of(10, 15), Pvid1, VlanEntry.Of(16, 20)]);

        Assert.True(delta.IsEmpty);
    }

    [Fact]
    public void Diff_deletes_removed_vids_and_adds_new_ones_as_ranges()
    {
        var delta = VlanTable.Diff([Pvid1, VlanEntry.Of(10, 20)], [Pvid1, VlanEntry.Of(15, 30)]);

        Assert.Equal([VlanEntry.Of(10, 14)], delta.ToDelete);
        Assert.Equal([VlanEntry.Of(21, 30)], delta.ToAdd);
    }

    [Fact]
    public void A_flag_change_is_an_add_with_the_new_flags()
    {
        var delta = VlanTable.Diff([VlanEntry.Of(10, 20)], [VlanEntry.Of(10, 14), VlanEntry.Of(15) with { Untagged = true }, VlanEntry.Of(16, 20)]);

        Assert.Empty(delta.ToDelete);
        Assert.Equal([new VlanEntry(15, 15, Pvid: false, Untagged: true)], delta.ToAdd);
    }

    [Fact]
    public void Moving_the_pvid_re_adds_both_vids()
    {
        var delta = VlanTable.Diff([Pvid1, VlanEntry.Of(2)], [VlanEntry.Of(1), new VlanEntry(2, 2, Pvid: true, Untagged: true)]);

        Assert.Empty(delta.ToDelete);
        Assert.Equal([VlanEntry.Of(1), new VlanEntry(2, 2, true, true)], delta.ToAdd);
    }

    [Fact]
    public void From_and_to_nothing()
    {
        Assert.Equal(new VlanDelta([], [Pvid1, VlanEntry.Of(2, 4094)]).ToAdd, VlanTable.Diff([], [Pvid1, VlanEntry.Of(2, 4094)]).ToAdd);
        Assert.Equal([VlanEntry.Of(1, 4094)], VlanTable.Diff([VlanEntry.Of(1, 4094)], []).ToDelete);
        Assert.True(VlanTable.Diff([], []).IsEmpty);
    }

    /// <summary>
    /// Property: applying the delta (deletes, then adds, each in order) with the kernel's per-vid
    /// rules turns any current table into the desired one. 2,000 random pairs, fixed seed.
    /// </summary>
    [Fact]
    public void Applying_the_delta_reaches_the_desired_table()
    {
        var random = new Random(20240611);
        for (var round = 0; round < 2000; round++)
        {
            var current = RandomTable(random);
            var desired = RandomTable(random);

            var delta = VlanTable.Diff(current, desired);
            var kernel = new SimulatedPortTable(current);
            kernel.Delete(delta.ToDelete);
            kernel.Add(delta.ToAdd);

            Assert.Equal(VlanTable.Compress(desired), kernel.Entries());
            Assert.All(delta.ToAdd.Concat(delta.ToDelete), e => e.Validate());
        }
    }

    private static List<VlanEntry> RandomTable(Random random)
    {
        // Vids from a small window so that tables overlap and ranges form.
        var entries = new List<VlanEntry>();
        var window = random.Next(1, 4000);
        var vids = Enumerable.Range(window, random.Next(0, 60)).Where(_ => random.Next(3) > 0).ToList();
        foreach (var vid in vids)
            entries.Add(new VlanEntry((ushort)vid, (ushort)vid, Pvid: false, Untagged: random.Next(4) == 0));
        if (entries.Count > 0 && random.Next(2) == 0)
        {
            var i = random.Next(entries.Count);
            entries[i] = entries[i] with { Pvid = true };
        }
        return entries;
    }

    /// <summary>
    /// The kernel's rules for one port's table (br_vlan.c): a delete removes the vid (and the PVID
    /// with it); an add sets the untagged flag as given, makes the vid the PVID when flagged, and
    /// stops it being the PVID when not.
    /// </summary>
    private sealed class SimulatedPortTable
    {
        private readonly SortedDictionary<ushort, bool> _untagged = [];
        private ushort _pvid;

        public SimulatedPortTable(IEnumerable<VlanEntry> entries) => Add(entries);

        public void Add(IEnumerable<VlanEntry> entries)
        {
            foreach (var entry in entries)
            {
                for (var vid = entry.VidStart; vid <= entry.VidEnd; vid++)
                {
                    _untagged[vid] = entry.Untagged;
                    if (entry.Pvid)
                        _pvid = vid;
                    else if (_pvid == vid)
                        _pvid = 0;
                }
            }
        }

        public void Delete(IEnumerable<VlanEntry> entries)
        {
            foreach (var entry in entries)
            {
                for (var vid = entry.VidStart; vid <= entry.VidEnd; vid++)
                {
                    _untagged.Remove(vid);
                    if (_pvid == vid)
                        _pvid = 0;
                }
            }
        }

        public IReadOnlyList<VlanEntry> Entries() =>
            VlanTable.Compress(_untagged.Select(p => new VlanEntry(p.Key, p.Key, p.Key == _pvid, p.Value)));
    }
}
