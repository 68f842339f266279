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
        // Each key's bucket is hashed once; changes sorted by (bucket, key) give every bucket's run in merge order.
        var items = new StateChange[changes.Count];
        int n = 0;
        foreach (var (key, value) in changes) items[n++] = new StateChange(BucketOf(key), key, value);
        Array.Sort(items, static (a, b) => a.Bucket != b.Bucket ? a.Bucket.CompareTo(b.Bucket) : a.Key.AsSpan().SequenceCompareTo(b.Key));

        var level = new List<(int Index, Hash32 Hash)>();
        using (var cursor = _store.OpenCursor(_entries))
            for (int start = 0; start < items.Length;)
            {
                int end = start;
                while (end < items.Length && items[end].Bucket == items[start].Bucket) end++;
                level.Add((_leafCount + items[start].Bucket, HashBucket(cursor, items[start].Bucket, items.AsSpan(start, end - start))));
                start = end;
            }
        var leaves = level.ToArray();

        // Recompute only the paths above touched buckets, one level at a time (indices stay sorted).
        var all = new List<(int Index, Hash32 Hash)>(level.Count * 4);
        all.AddRange(level);
        while (level.Count > 0 && level[0].Index > 1)
        {
            var next = new List<(int Index, Hash32 Hash)>(level.Count);
            for (int i = 0; i < level.Count; i++)
            {
                int index = level[i].Index, parent = index >> 1;
                Hash32 left, right;
                if ((index & 1) == 0)
                {
                    left = level[i].Hash;
                    bool siblingChanged = i + 1 < level.Count && level[i + 1].Index == index + 1;
                    right = siblingChanged ? level[++i].Hash : _nodes[index + 1];
                }
                else
                {
                    left = _nodes[index - 1];
                    right = level[i].Hash;
                }
                next.Add((parent, Parent(left, right)));
            }
            all.AddRange(next);
            level = next;
        }
        var root = level.Count > 0 ? level[0].Hash : _nodes[1];
        return new PreparedState(this, items, leaves, all, root);
    }

    /// <summary>Adds a prepared change to a batch and, once the caller has written the batch, makes it current.</summary>
    public void Stage(PreparedState prepared, StoreBatch batch)
    {
        if (!ReferenceEquals(prepared.Tree, this)) throw new ArgumentException("prepared for another tree", nameof(prepared));
        foreach (var change in prepared.Changes)
        {
            var stored = new byte[3 + change.Key.Length];
            WriteBucket(change.Bucket, stored);
            change.Key.CopyTo(stored, 3);
            if (change.Value is null) batch.Delete(_entries, stored);
            else batch.Put(_entries, stored, change.Value);
        }
        Span<byte> bucketKey = stackalloc byte[3];
        Span<byte> hash = stackalloc byte[32];
        foreach (var (index, h) in prepared.Leaves)
        {
            WriteBucket(index - _leafCount, bucketKey);
            if (h.IsZero) batch.Delete(_buckets, bucketKey);
            else { h.WriteTo(hash); batch.Put(_buckets, bucketKey, hash); }
        }
    }

    /// <summary>Makes a staged change current in memory; call after its batch is durably written.</summary>
    public void Commit(PreparedState prepared)
    {
        foreach (var (index, h) in prepared.Nodes) _nodes[index] = h;
    }

    private static Hash32 HashBucket(StoreCursor cursor, int bucket, ReadOnlySpan<StateChange> changes)
    {
        // A bucket's leaves are few; the bucket hash is over their concatenation.
        var leaves = new List<Hash32>(changes.Length + 4);
        int ci = 0;
        Span<byte> prefix = stackalloc byte[3];
        prefix[0] = (byte)(bucket >> 16); prefix[1] = (byte)(bucket >> 8); prefix[2] = (byte)bucket;

        // Merge the stored entries with the changes, both in key order.
        for (cursor.Seek(prefix); cursor.Valid; cursor.Next())
        {
            var stored = cursor.Key;
            if (!stored.StartsWith(prefix)) break;
            var key = stored[3..];
            while (ci < changes.Length && changes[ci].Key.AsSpan().SequenceCompareTo(key) < 0)
            {
                if (changes[ci].Value is { } v) leaves.Add(Leaf(changes[ci].Key, v));
                ci++;
            }
            if (ci < changes.Length && changes[ci].Key.AsSpan().SequenceEqual(key))
            {
                if (changes[ci].Value is { } v) leaves.Add(Leaf(key, v));
                ci++;
            }
            else leaves.Add(Leaf(key, cursor.Value));
        }
        for (; ci < changes.Length; ci++)
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
        WriteBucket(BucketOf(key), stored);
        key.CopyTo(stored[3..]);
    }

    private static void WriteBucket(int bucket, Span<byte> destination)
    {
        destination[0] = (byte)(bucket >> 16);
        destination[1] = (byte)(bucket >> 8);
        destination[2] = (byte)bucket;
    }
}

/// <summary>The computed effect of a change set on a <see cref="StateTree"/>: new root, ready to stage and commit.</summary>
public sealed class PreparedState
{
    internal PreparedState(StateTree tree, StateChange[] changes, (int Index, Hash32 Hash)[] leaves, List<(int Index, Hash32 Hash)> nodes, Hash32 root)
    {
        Tree = tree;
        Changes = changes;
        Leaves = leaves;
        Nodes = nodes;
        Root = root;
    }

    internal StateTree Tree { get; }
    internal StateChange[] Changes { get; }
    internal (int Index, Hash32 Hash)[] Leaves { get; }
    internal List<(int Index, Hash32 Hash)> Nodes { get; }
    public Hash32 Root { get; }
}

/// <summary>One key's change with its bucket, as prepared.</summary>
internal readonly record struct StateChange(int Bucket, byte[] Key, byte[]? Value);
