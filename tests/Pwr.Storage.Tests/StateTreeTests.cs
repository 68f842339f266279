using System.Text;
using Pwr.Core;

namespace Pwr.Storage.Tests;

public class StateTreeTests
{
    private static byte[] S(string s) => Encoding.UTF8.GetBytes(s);

    private static Dictionary<byte[], byte[]> RandomEntries(int count, int seed)
    {
        var random = new Random(seed);
        var entries = new Dictionary<byte[], byte[]>(ByteArrayComparer.Instance);
        while (entries.Count < count)
        {
            var key = new byte[random.Next(1, 40)];
            var value = new byte[random.Next(0, 100)];
            random.NextBytes(key);
            random.NextBytes(value);
            entries[key] = value;
        }
        return entries;
    }

    private static IEnumerable<KeyValuePair<byte[], byte[]?>> AsChanges(IEnumerable<KeyValuePair<byte[], byte[]>> entries)
        => entries.Select(e => new KeyValuePair<byte[], byte[]?>(e.Key, e.Value));

    [Fact]
    public void Empty_tree_has_a_zero_root()
    {
        using var h = new StateTreeHarness();
        Assert.Equal(Hash32.Zero, h.Tree.Root);
        Assert.Equal(Hash32.Zero, h.Apply(Array.Empty<KeyValuePair<byte[], byte[]?>>()));
    }

    [Theory]
    [InlineData(1, 50)]
    [InlineData(4, 300)]
    [InlineData(16, 300)]
    public void Root_matches_the_documented_definition(int bucketBits, int count)
    {
        var entries = RandomEntries(count, seed: bucketBits);
        using var h = new StateTreeHarness(bucketBits);
        Assert.Equal(StateTreeHarness.ReferenceRoot(entries, bucketBits), h.Apply(AsChanges(entries)));
    }

    [Fact]
    public void Single_entry_root_is_the_merkle_path_of_its_bucket()
    {
        using var h = new StateTreeHarness(bucketBits: 1);
        var root = h.Apply((S("k"), S("v")));
        var bucketHash = Keccak.Hash256([0, 1, .. S("kv")]); // a bucket of one entry hashes to its leaf = u16 key length ‖ key ‖ value
        var expected = StateTreeHarness.Bucket(S("k"), 1) == 0 ? Keccak.HashPair(bucketHash, Hash32.Zero) : Keccak.HashPair(Hash32.Zero, bucketHash);
        Assert.Equal(expected, root);
    }

    [Fact]
    public void Root_is_independent_of_insertion_order_and_of_how_changes_are_split_into_batches()
    {
        var entries = RandomEntries(400, seed: 7).ToList();
        using var oneGo = new StateTreeHarness();
        var expected = oneGo.Apply(AsChanges(entries));

        var random = new Random(8);
        using var shuffledBatches = new StateTreeHarness();
        var shuffled = entries.OrderBy(_ => random.Next()).ToList();
        for (int i = 0; i < shuffled.Count;)
        {
            int n = random.Next(1, 60);
            shuffledBatches.Apply(AsChanges(shuffled.Skip(i).Take(n)));
            i += n;
        }
        Assert.Equal(expected, shuffledBatches.Tree.Root);

        using var oneByOneReversed = new StateTreeHarness();
        foreach (var e in Enumerable.Reverse(entries)) oneByOneReversed.Apply((e.Key, e.Value));
        Assert.Equal(expected, oneByOneReversed.Tree.Root);
    }

    // 16 bits: mostly one key per bucket; 1 bit: hundreds per bucket, so the trie inside a bucket grows, splits and
    // collapses as keys come and go.
    [Theory]
    [InlineData(16)]
    [InlineData(1)]
    public void Incremental_updates_and_deletes_end_at_the_root_of_a_fresh_tree_built_in_one_go(int bucketBits)
    {
        var random = new Random(42);
        var model = new Dictionary<byte[], byte[]>(ByteArrayComparer.Instance);
        var keys = RandomEntries(600, seed: 43).Keys.ToList();
        using var incremental = new StateTreeHarness(bucketBits);
        for (int round = 0; round < 30; round++)
        {
            var changes = new Dictionary<byte[], byte[]?>(ByteArrayComparer.Instance);
            for (int i = random.Next(1, 80); i > 0; i--)
            {
                var key = keys[random.Next(keys.Count)];
                if (random.Next(4) == 0) changes[key] = null; // delete, present or not
                else
                {
                    var value = new byte[random.Next(0, 50)];
                    random.NextBytes(value);
                    changes[key] = value;
                }
            }
            incremental.Apply(changes);
            foreach (var (k, v) in changes)
                if (v is null) model.Remove(k); else model[k] = v;
            Assert.Equal(StateTreeHarness.ReferenceRoot(model, bucketBits), incremental.Tree.Root);
        }
        Assert.NotEmpty(model);

        using var fresh = new StateTreeHarness(bucketBits);
        Assert.Equal(incremental.Tree.Root, fresh.Apply(AsChanges(model)));
        foreach (var (k, v) in model) Assert.Equal(v, incremental.Tree.Get(k));
        // The stored trie is canonical: no inner node outlives the subtree it summed.
        Assert.Equal(Dump(fresh), Dump(incremental));
    }

    private static List<string> Dump(StateTreeHarness h)
        => h.Store.Scan(h.Store.Family("buckets"), []).Select(e => Convert.ToHexString(e.Key) + "=" + Convert.ToHexString(e.Value)).ToList();

    [Fact]
    public void Deleting_whole_clusters_in_one_batch_leaves_the_same_store_as_never_having_them()
    {
        // One bucket: every key shares the trie; batches add and remove runs of keys, then everything but a few.
        using var h = new StateTreeHarness(bucketBits: 1);
        var all = RandomEntries(1_000, seed: 77);
        var keys = all.Keys.ToList();
        h.Apply(AsChanges(all));
        h.Apply(keys.Take(700).Select(k => new KeyValuePair<byte[], byte[]?>(k, null)));
        h.Apply(keys.Skip(700).Take(250).Select(k => new KeyValuePair<byte[], byte[]?>(k, null)));
        var rest = keys.Skip(950).ToDictionary(k => k, k => all[k], ByteArrayComparer.Instance);
        using var fresh = new StateTreeHarness(bucketBits: 1);
        Assert.Equal(fresh.Apply(AsChanges(rest)), h.Tree.Root);
        Assert.Equal(StateTreeHarness.ReferenceRoot(rest, 1), h.Tree.Root);
        Assert.Equal(Dump(fresh), Dump(h));
    }

    [Fact]
    public void Changing_one_key_rewrites_one_path_however_large_the_map()
    {
        // Two buckets of ~4,000 keys each: a flat bucket hash would rehash thousands of leaves per change.
        using var h = new StateTreeHarness(bucketBits: 1);
        var entries = RandomEntries(8_000, seed: 9);
        h.Apply(AsChanges(entries));
        var key = entries.Keys.First();
        int before = h.Store.Scan(h.Store.Family("buckets"), []).Count();

        var prepared = h.Tree.Prepare(StateTreeHarness.ToChanges([new(key, S("changed"))]));
        // The leaf, the inner nodes on its path (about log2(4,000) + a few), nothing else.
        Assert.InRange(prepared.WriteCount, 2, 40);
        using (var batch = h.Store.CreateBatch())
        {
            h.Tree.Stage(prepared, batch);
            h.Store.Write(batch, sync: false);
        }
        h.Tree.Commit(prepared);
        entries[key] = S("changed");
        Assert.Equal(StateTreeHarness.ReferenceRoot(entries, 1), h.Tree.Root);
        // A leaf-index entry per key, inner nodes only for subtrees of two or more entries (random hashes give about
        // 1.4 per key, counting one-sided links), two bucket hashes.
        int stored = h.Store.Scan(h.Store.Family("buckets"), []).Count();
        Assert.Equal(before, stored);
        Assert.InRange(stored, 2 * entries.Count, 3 * entries.Count + 2);
    }

    [Fact]
    public void State_written_in_the_flat_bucket_format_is_refused_with_a_clear_message()
    {
        using var dir = new TempDirectory();
        using var store = KeyValueStore.Open(dir.Sub("db"), "entries", "buckets");
        store.Put(store.Family("buckets"), [0, 0, 7], new byte[32]); // a format-1 bucket hash: a 3-byte key
        var e = Assert.Throws<InvalidDataException>(() => new StateTree(store, store.Family("entries"), store.Family("buckets")));
        Assert.Contains("--reset", e.Message);
    }

    [Fact]
    public void Deleting_a_key_returns_to_the_previous_root()
    {
        using var h = new StateTreeHarness();
        var before = h.Apply(AsChanges(RandomEntries(100, seed: 1)));
        var with = h.Apply((S("extra"), S("value")));
        Assert.NotEqual(before, with);
        Assert.Equal(before, h.Apply((S("extra"), null)));
        Assert.Null(h.Tree.Get(S("extra")));
    }

    [Fact]
    public void Deleting_every_key_returns_to_the_zero_root()
    {
        var entries = RandomEntries(200, seed: 2);
        using var h = new StateTreeHarness();
        h.Apply(AsChanges(entries));
        Assert.Equal(Hash32.Zero, h.Apply(entries.Keys.Select(k => new KeyValuePair<byte[], byte[]?>(k, null))));
        Assert.Empty(h.Store.Scan(h.Store.Family("buckets"), []));
        Assert.Empty(h.Store.Scan(h.Store.Family("entries"), []));
    }

    [Fact]
    public void Deleting_an_absent_key_or_rewriting_a_value_unchanged_keeps_the_root()
    {
        using var h = new StateTreeHarness();
        var root = h.Apply((S("a"), S("1")), (S("b"), S("2")));
        Assert.Equal(root, h.Apply((S("never-there"), null)));
        Assert.Equal(root, h.Apply((S("a"), S("1"))));
    }

    [Fact]
    public void Empty_value_is_a_present_entry_distinct_from_absence()
    {
        using var h = new StateTreeHarness();
        var empty = h.Apply((S("k"), []));
        Assert.NotEqual(Hash32.Zero, empty);
        Assert.Equal(Array.Empty<byte>(), h.Tree.Get(S("k")));
        Assert.NotEqual(empty, h.Apply((S("k"), S("x"))));
    }

    [Fact]
    public void Changing_one_value_changes_the_root()
    {
        using var h = new StateTreeHarness();
        var entries = RandomEntries(50, seed: 3);
        var root = h.Apply(AsChanges(entries));
        var key = entries.Keys.First();
        var changed = (byte[])entries[key].Clone();
        changed = [.. changed, 0];
        Assert.NotEqual(root, h.Apply((key, changed)));
    }

    [Fact]
    public void Prepare_does_not_change_the_root_until_commit()
    {
        using var h = new StateTreeHarness();
        var root = h.Apply((S("a"), S("1")));

        var prepared = h.Tree.Prepare(StateTreeHarness.ToChanges([new(S("b"), S("2"))]));
        Assert.NotEqual(root, prepared.Root);
        Assert.Equal(root, h.Tree.Root);

        using var batch = h.Store.CreateBatch();
        h.Tree.Stage(prepared, batch);
        Assert.Equal(root, h.Tree.Root);
        Assert.Null(h.Tree.Get(S("b")));

        h.Store.Write(batch);
        Assert.Equal(root, h.Tree.Root);
        Assert.Equal(S("2"), h.Tree.Get(S("b")));

        h.Tree.Commit(prepared);
        Assert.Equal(prepared.Root, h.Tree.Root);
    }

    [Fact]
    public void Abandoned_prepare_leaves_no_trace()
    {
        using var h = new StateTreeHarness();
        var root = h.Apply((S("a"), S("1")));
        h.Tree.Prepare(StateTreeHarness.ToChanges([new(S("a"), null), new(S("b"), S("2"))]));
        Assert.Equal(root, h.Tree.Root);
        Assert.Equal(S("1"), h.Tree.Get(S("a")));
        var next = h.Apply((S("c"), S("3")));
        Assert.Equal(StateTreeHarness.ReferenceRoot(new Dictionary<byte[], byte[]>(ByteArrayComparer.Instance) { [S("a")] = S("1"), [S("c")] = S("3") }, 16), next);
    }

    [Fact]
    public void Staging_a_change_prepared_by_another_tree_is_refused()
    {
        using var a = new StateTreeHarness();
        using var b = new StateTreeHarness();
        var prepared = a.Tree.Prepare(StateTreeHarness.ToChanges([new(S("k"), S("v"))]));
        using var batch = b.Store.CreateBatch();
        Assert.Throws<ArgumentException>(() => b.Tree.Stage(prepared, batch));
    }

    [Fact]
    public void Reopening_the_store_reproduces_the_same_root_and_carries_on_identically()
    {
        var entries = RandomEntries(500, seed: 9);
        using var reopened = new StateTreeHarness();
        using var neverClosed = new StateTreeHarness();
        var root = reopened.Apply(AsChanges(entries));
        neverClosed.Apply(AsChanges(entries));

        reopened.Reopen();
        Assert.Equal(root, reopened.Tree.Root);

        var key = entries.Keys.First();
        var more = new[] { (S("after-reopen"), (byte[]?)S("1")), (key, null) };
        Assert.Equal(neverClosed.Apply(more), reopened.Apply(more));
        reopened.Reopen();
        Assert.Equal(neverClosed.Tree.Root, reopened.Tree.Root);
    }

    [Fact]
    public void Twenty_thousand_keys_spread_over_buckets_give_the_documented_root()
    {
        var random = new Random(20_000);
        var entries = new Dictionary<byte[], byte[]>(ByteArrayComparer.Instance);
        for (int i = 0; i < 20_000; i++)
        {
            var value = new byte[8];
            random.NextBytes(value);
            entries[S($"account/{i}")] = value;
        }
        int buckets = entries.Keys.Select(k => StateTreeHarness.Bucket(k, 16)).Distinct().Count();
        Assert.True(buckets > 15_000, $"only {buckets} buckets used");

        using var h = new StateTreeHarness();
        var list = entries.ToList();
        for (int i = 0; i < list.Count; i += 5_000) h.Apply(AsChanges(list.Skip(i).Take(5_000)));
        Assert.Equal(StateTreeHarness.ReferenceRoot(entries, 16), h.Tree.Root);
        Assert.Equal(list[12_345].Value, h.Tree.Get(list[12_345].Key));

        // Touch 1,000 of them: the incremental root still equals a from-scratch computation.
        var changes = list.Take(1_000).Select(e => new KeyValuePair<byte[], byte[]?>(e.Key, [.. e.Value, 1])).ToList();
        h.Apply(changes);
        foreach (var (k, v) in changes) entries[k] = v!;
        Assert.Equal(StateTreeHarness.ReferenceRoot(entries, 16), h.Tree.Root);

        h.Reopen();
        Assert.Equal(StateTreeHarness.ReferenceRoot(entries, 16), h.Tree.Root);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(21)]
    public void Bucket_bits_outside_1_to_20_are_refused(int bits)
    {
        using var dir = new TempDirectory();
        using var store = KeyValueStore.Open(dir.Sub("db"), "entries", "buckets");
        Assert.Throws<ArgumentOutOfRangeException>(() => new StateTree(store, store.Family("entries"), store.Family("buckets"), bits));
    }

    [Fact]
    public void Maps_differing_only_in_where_key_ends_and_value_begins_have_different_roots()
    {
        // Find k and k‖0x41 in the same bucket (about 1 in 2^16 candidates), then compare {k‖A: B} with {k: AB}.
        byte[] k = [];
        for (int i = 0; ; i++)
        {
            k = S($"key{i}");
            if (StateTreeHarness.Bucket(k, 16) == StateTreeHarness.Bucket([.. k, 0x41], 16)) break;
        }
        using var a = new StateTreeHarness();
        using var b = new StateTreeHarness();
        Assert.NotEqual(a.Apply(([.. k, 0x41], [0x42])), b.Apply((k, [0x41, 0x42])));
    }
}
