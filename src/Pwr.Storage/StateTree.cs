using Pwr.Core;

namespace Pwr.Storage;

/// <summary>
/// An authenticated key/value map in RocksDB whose root is updated at a cost that grows with the keys a change
/// touches, not with the size of the map. Keys fall into 2^bits buckets by the first bits of Keccak-256(key);
/// a bucket's hash is Keccak-256 of its leaves (leaf = Keccak-256(u16 key length ‖ key ‖ value)) in key order, and the root
/// is the binary Merkle root over all bucket hashes (an all-empty subtree hashes to zero).
/// </summary>
public sealed class StateTree
{
    private readonly KeyValueStore _store;
    private readonly ColumnFamily _entries;
    private readonly ColumnFamily _buckets;
    private readonly int _bits;
    private readonly int _leafCount;
    private readonly Hash32[] _nodes; // heap layout: 1 = root, leaves at [leafCount, 2*leafCount)

    public StateTree(KeyValueStore store, ColumnFamily entries, ColumnFamily buckets, int bucketBits = 16)
    {
        if (bucketBits is < 1 or > 20) throw new ArgumentOutOfRangeException(nameof(bucketBits));
        _store = store;
        _entries = entries;
        _buckets = buckets;
        _bits = bucketBits;
        _leafCount = 1 << bucketBits;
        _nodes = new Hash32[2 * _leafCount];
        foreach (var (key, value) in store.Scan(buckets, []))
        {
            int bucket = (key[0] << 16 | key[1] << 8 | key[2]);
            _nodes[_leafCount + bucket] = new Hash32(value);
        }
        for (int i = _leafCount - 1; i >= 1; i--) _nodes[i] = Parent(_nodes[2 * i], _nodes[2 * i + 1]);
    }

    public Hash32 Root => _nodes[1];

    public byte[]? Get(ReadOnlySpan<byte> key)
    {
        Span<byte> stored = key.Length <= 256 ? stackalloc byte[3 + key.Length] : new byte[3 + key.Length];
        WriteStoredKey(key, stored);
        return _store.Get(_entries, stored);
    }

    /// <summary>Computes the effect of a set of changes (null value = delete) without writing anything.</summary>
    public PreparedState Prepare(IReadOnlyDictionary<byte[], byte[]?> changes)
    {
        var byBucket = new SortedDictionary<int, List<KeyValuePair<byte[], byte[]?>>>();
        foreach (var change in changes)
        {
            int b = BucketOf(change.Key);
            if (!byBucket.TryGetValue(b, out var list)) byBucket[b] = list = [];
            list.Add(change);
        }
        var newLeaves = new Dictionary<int, Hash32>(byBucket.Count);
        using (var cursor = _store.OpenCursor(_entries))
            foreach (var (bucket, list) in byBucket) newLeaves[bucket] = HashBucket(cursor, bucket, list);

        // Recompute only the paths above touched buckets.
        var level = new Dictionary<int, Hash32>(newLeaves.Count);
        foreach (var (bucket, h) in newLeaves) level[_leafCount + bucket] = h;
        var all = new Dictionary<int, Hash32>(level);
        while (level.Count > 0 && !level.ContainsKey(1))
        {
            var next = new Dictionary<int, Hash32>(level.Count);
            foreach (var index in level.Keys)
            {
                int parent = index >> 1;
                if (next.ContainsKey(parent)) continue;
                var left = all.TryGetValue(2 * parent, out var l) ? l : _nodes[2 * parent];
                var right = all.TryGetValue(2 * parent + 1, out var r) ? r : _nodes[2 * parent + 1];
                next[parent] = Parent(left, right);
            }
            foreach (var (k, v) in next) all[k] = v;
            level = next;
        }
        var root = all.TryGetValue(1, out var newRoot) ? newRoot : _nodes[1];
        return new PreparedState(this, changes, newLeaves, all, root);
    }

    /// <summary>Adds a prepared change to a batch and, once the caller has written the batch, makes it current.</summary>
    public void Stage(PreparedState prepared, StoreBatch batch)
    {
        if (!ReferenceEquals(prepared.Tree, this)) throw new ArgumentException("prepared for another tree", nameof(prepared));
        foreach (var (key, value) in prepared.Changes)
        {
            var stored = new byte[3 + key.Length];
            WriteStoredKey(key, stored);
            if (value is null) batch.Delete(_entries, stored);
            else batch.Put(_entries, stored, value);
        }
        Span<byte> bucketKey = stackalloc byte[3];
        Span<byte> hash = stackalloc byte[32];
        foreach (var (bucket, h) in prepared.Leaves)
        {
            bucketKey[0] = (byte)(bucket >> 16); bucketKey[1] = (byte)(bucket >> 8); bucketKey[2] = (byte)bucket;
            if (h.IsZero) batch.Delete(_buckets, bucketKey);
            else { h.WriteTo(hash); batch.Put(_buckets, bucketKey, hash); }
        }
    }

    /// <summary>Makes a staged change current in memory; call after its batch is durably written.</summary>
    public void Commit(PreparedState prepared)
    {
        foreach (var (index, h) in prepared.Nodes) _nodes[index] = h;
    }

    private static Hash32 HashBucket(StoreCursor cursor, int bucket, List<KeyValuePair<byte[], byte[]?>> changes)
    {
        changes.Sort((a, b) => ByteArrayComparer.Instance.Compare(a.Key, b.Key));
        // A bucket's leaves are few, so their hashes fit on the stack; the bucket hash is over their concatenation.
        var leaves = new List<Hash32>(changes.Count + 4);
        int ci = 0;
        Span<byte> prefix = stackalloc byte[3];
        prefix[0] = (byte)(bucket >> 16); prefix[1] = (byte)(bucket >> 8); prefix[2] = (byte)bucket;

        // Merge the stored entries with the changes, both in key order.
        for (cursor.Seek(prefix); cursor.Valid; cursor.Next())
        {
            var stored = cursor.Key;
            if (!stored.StartsWith(prefix)) break;
            var key = stored[3..];
            while (ci < changes.Count && changes[ci].Key.AsSpan().SequenceCompareTo(key) < 0)
            {
                if (changes[ci].Value is { } v) leaves.Add(Leaf(changes[ci].Key, v));
                ci++;
            }
            if (ci < changes.Count && changes[ci].Key.AsSpan().SequenceEqual(key))
            {
                if (changes[ci].Value is { } v) leaves.Add(Leaf(key, v));
                ci++;
            }
            else leaves.Add(Leaf(key, cursor.Value));
        }
        for (; ci < changes.Count; ci++)
            if (changes[ci].Value is { } v) leaves.Add(Leaf(changes[ci].Key, v));
        if (leaves.Count == 0) return Hash32.Zero;

        var buffer = leaves.Count <= 64 ? stackalloc byte[leaves.Count * 32] : new byte[leaves.Count * 32];
        for (int i = 0; i < leaves.Count; i++) leaves[i].WriteTo(buffer[(i * 32)..]);
        return Keccak.Hash256(buffer);
    }

    /// <summary>Leaf = Keccak-256(u16 key length ‖ key ‖ value): the length keeps (ab, c) and (a, bc) apart.</summary>
    public static Hash32 Leaf(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value)
    {
        Span<byte> length = stackalloc byte[2];
        length[0] = (byte)(key.Length >> 8);
        length[1] = (byte)key.Length;
        return Keccak.Hash256Concat(length, key, value);
    }

    private static Hash32 Parent(in Hash32 left, in Hash32 right)
        => left.IsZero && right.IsZero ? Hash32.Zero : Keccak.HashPair(left, right);

    private int BucketOf(ReadOnlySpan<byte> key)
    {
        Span<byte> h = stackalloc byte[32];
        Keccak.Hash256(key, h);
        int top = h[0] << 16 | h[1] << 8 | h[2];
        return top >> (24 - _bits);
    }

    private void WriteStoredKey(ReadOnlySpan<byte> key, Span<byte> stored)
    {
        int b = BucketOf(key);
        stored[0] = (byte)(b >> 16); stored[1] = (byte)(b >> 8); stored[2] = (byte)b;
        key.CopyTo(stored[3..]);
    }
}

/// <summary>The computed effect of a change set on a <see cref="StateTree"/>: new root, ready to stage and commit.</summary>
public sealed class PreparedState
{
    internal PreparedState(StateTree tree, IReadOnlyDictionary<byte[], byte[]?> changes, Dictionary<int, Hash32> leaves, Dictionary<int, Hash32> nodes, Hash32 root)
    {
        Tree = tree;
        Changes = changes;
        Leaves = leaves;
        Nodes = nodes;
        Root = root;
    }

    internal StateTree Tree { get; }
    internal IReadOnlyDictionary<byte[], byte[]?> Changes { get; }
    internal Dictionary<int, Hash32> Leaves { get; }
    internal Dictionary<int, Hash32> Nodes { get; }
    public Hash32 Root { get; }
}
