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
    /// The root as StateTree's documentation defines it, computed from scratch: buckets by the top bits of
    /// Keccak-256(key), bucket hash = Keccak-256 of its leaves Keccak-256(u16 key length ‖ key ‖ value) in key order, then a binary
    /// Merkle tree over all 2^bits buckets in which an all-empty subtree hashes to zero.
    /// </summary>
    public static Hash32 ReferenceRoot(IReadOnlyDictionary<byte[], byte[]> entries, int bucketBits)
    {
        var leaves = new Hash32[1 << bucketBits];
        foreach (var group in entries.GroupBy(e => Bucket(e.Key, bucketBits)))
        {
            var hasher = new Keccak.Hasher();
            foreach (var (key, value) in group.OrderBy(e => e.Key, ByteArrayComparer.Instance))
                hasher.Update(Keccak.Hash256([(byte)(key.Length >> 8), (byte)key.Length, .. key, .. value]).ToArray());
            leaves[group.Key] = hasher.Finish();
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

    public static int Bucket(byte[] key, int bucketBits)
    {
        var h = Keccak.Hash256(key).ToArray();
        return (h[0] << 16 | h[1] << 8 | h[2]) >> (24 - bucketBits);
    }
}
