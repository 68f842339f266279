using Pwr.Core;

namespace Pwr.Storage.Tests;

/// <summary>A <see cref="StateTree"/> over its own RocksDB store in a temp directory, plus the write path a node uses.</summary>
internal sealed class StateTreeHarness : IDisposable
{
    private readonly TempDirectory? _ownedDir;
    private readonly int _bucketBits;

    public StateTreeHarness(int bucketBits = 16, string? path = null)
    {
        _bucketBits = bucketBits;
        if (path is null) _ownedDir = new TempDirectory();
        Path = path ?? _ownedDir!.Sub("db");
        Open();
    }

    public string Path { get; }
    public KeyValueStore Store { get; private set; } = null!;
    public StateTree Tree { get; private set; } = null!;

    private void Open()
    {
        Store = KeyValueStore.Open(Path, "entries", "buckets");
        Tree = new StateTree(Store, Store.Family("entries"), Store.Family("buckets"), _bucketBits);
    }

    /// <summary>Closes and reopens the store, building a new tree from what is on disk.</summary>
    public void Reopen()
    {
        Store.Dispose();
        Open();
    }

    /// <summary>Prepare, stage into a batch, write it, commit: one block's worth of state changes.</summary>
    public Hash32 Apply(IEnumerable<KeyValuePair<byte[], byte[]?>> changes)
    {
        var prepared = Tree.Prepare(ToChanges(changes));
        using var batch = Store.CreateBatch();
        Tree.Stage(prepared, batch);
        Store.Write(batch, sync: false);
        Tree.Commit(prepared);
        Assert.Equal(prepared.Root, Tree.Root);
        return Tree.Root;
    }

    public Hash32 Apply(params (byte[] Key, byte[]? Value)[] changes)
        => Apply(changes.Select(c => new KeyValuePair<byte[], byte[]?>(c.Key, c.Value)));

    public static Dictionary<byte[], byte[]?> ToChanges(IEnumerable<KeyValuePair<byte[], byte[]?>> changes)
    {
        var d = new Dictionary<byte[], byte[]?>(ByteArrayComparer.Instance);
        foreach (var (k, v) in changes) d[k] = v;
        return d;
    }

    public void Dispose()
    {
        Store.Dispose();
        _ownedDir?.Dispose();
    }

    /// <summary>
    /// The root as StateTree's documentation defines it, computed from scratch: leaves Keccak-256(u16 key length ‖ key ‖
    /// value) placed by the bits of Keccak-256(key); buckets by its top bits; inside a bucket a compact binary trie on the
    /// following bits (no entry: zero; one entry: its leaf; more: Keccak-256(left ‖ right)); then a binary Merkle tree
    /// over all 2^bits buckets in which an all-empty subtree hashes to zero.
    /// </summary>
    public static Hash32 ReferenceRoot(IReadOnlyDictionary<byte[], byte[]> entries, int bucketBits)
    {
        var leaves = new Hash32[1 << bucketBits];
        foreach (var group in entries.GroupBy(e => Bucket(e.Key, bucketBits)))
        {
            var placed = group.Select(e => (Hashed: Keccak.Hash256(e.Key).ToArray(), Leaf: Keccak.Hash256([(byte)(e.Key.Length >> 8), (byte)e.Key.Length, .. e.Key, .. e.Value]))).ToList();
            leaves[group.Key] = Subtree(placed, bucketBits);
        }
        var level = leaves;
        while (level.Length > 1)
        {
            var next = new Hash32[level.Length / 2];
            for (int i = 0; i < next.Length; i++)
            {
                var (l, r) = (level[2 * i], level[2 * i + 1]);
                next[i] = l.IsZero && r.IsZero ? Hash32.Zero : Keccak.HashPair(l, r);
            }
            level = next;
        }
        return level[0];
    }

    private static Hash32 Subtree(List<(byte[] Hashed, Hash32 Leaf)> entries, int depth)
    {
        if (entries.Count == 0) return Hash32.Zero;
        if (entries.Count == 1) return entries[0].Leaf;
        bool BitOf(byte[] h) => (h[depth >> 3] & (0x80 >> (depth & 7))) != 0;
        return Keccak.HashPair(Subtree(entries.Where(e => !BitOf(e.Hashed)).ToList(), depth + 1), Subtree(entries.Where(e => BitOf(e.Hashed)).ToList(), depth + 1));
    }

    public static int Bucket(byte[] key, int bucketBits)
    {
        var h = Keccak.Hash256(key).ToArray();
        return (h[0] << 16 | h[1] << 8 | h[2]) >> (24 - bucketBits);
    }
}
