using Pwr.Core;

namespace Pwr.Storage;

/// <summary>
/// An authenticated key/value map in RocksDB whose root is updated at a cost that grows with the keys a change
/// touches and the logarithm of the map's size, never with the size itself. Leaves are
/// Keccak-256(u16 key length ‖ key ‖ value), placed by the bits of Keccak-256(key). Keys fall into 2^bits buckets by
/// its first bits; inside a bucket a compact binary trie on the following bits gives the bucket hash (an empty
/// subtree hashes to zero, a subtree holding one entry to that entry's leaf, any other to Keccak-256(left ‖ right));
/// the root is the binary Merkle root over all bucket hashes (an all-empty subtree hashes to zero). The bucket
/// hashes sit in memory; the trie's inner nodes (subtrees of two or more entries) and a leaf index by hashed key are
/// stored, so a change reads and rewrites one path per touched key.
/// </summary>
public sealed class StateTree
{
    // Keys in the buckets family: bucket hashes [0, b0, b1, b2]; inner nodes [1, depth, hashed-key prefix masked to depth
    // bits (32 bytes)]; the leaf index [2, Keccak-256(key)] -> leaf hash.
    private const byte BucketTag = 0, NodeTag = 1, LeafTag = 2;
    private const int NodeKeySize = 2 + 32, LeafKeySize = 1 + 32;

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
        using (var cursor = store.OpenCursor(buckets))
        {
            cursor.Seek([]);
            // The first format kept a flat hash per bucket under 3-byte keys; its roots differ from this one's.
            if (cursor.Valid && cursor.Key.Length == 3)
                throw new InvalidDataException("this state was written by an older pwr (flat bucket hashes); its roots cannot be carried on: start the data directory anew (--reset)");
        }
        foreach (var (key, value) in store.Scan(buckets, [BucketTag]))
        {
            int bucket = (key[1] << 16 | key[2] << 8 | key[3]);
            _nodes[_leafCount + bucket] = new Hash32(value);
        }
        for (int i = _leafCount - 1; i >= 1; i--) _nodes[i] = Parent(_nodes[2 * i], _nodes[2 * i + 1]);
    }

    public Hash32 Root => _nodes[1];

    public byte[]? Get(ReadOnlySpan<byte> key)
    {
        Span<byte> stored = key.Length <= 256 ? stackalloc byte[3 + key.Length] : new byte[3 + key.Length];
        Span<byte> hashed = stackalloc byte[32];
        Keccak.Hash256(key, hashed);
        WriteBucket(BucketOf(hashed), stored);
        key.CopyTo(stored[3..]);
        return _store.Get(_entries, stored);
    }

    /// <summary>Computes the effect of a set of changes (null value = delete) without writing anything.</summary>
    public PreparedState Prepare(IReadOnlyDictionary<byte[], byte[]?> changes)
    {
        // Changes sorted by hashed key: every bucket's run, and inside it every subtree's, is contiguous.
        var items = new StateChange[changes.Count];
        var writes = new List<(byte[] Key, byte[]? Value)>(changes.Count * 4);
        int n = 0;
        Span<byte> h = stackalloc byte[32];
        foreach (var (key, value) in changes)
        {
            Keccak.Hash256(key, h);
            var hashed = new Hash32(h);
            var leaf = value is null ? default : Leaf(key, value);
            items[n++] = new StateChange(BucketOf(h), hashed, leaf, key, value);
            writes.Add((LeafKey(hashed), value is null ? null : leaf.ToArray()));
        }
        Array.Sort(items, static (a, b) => a.Hashed.CompareTo(b.Hashed));

        var level = new List<(int Index, Hash32 Hash)>();
        using (var leaves = _store.OpenCursor(_buckets))
        {
            var trie = new TrieWork(this, leaves, writes);
            for (int start = 0; start < items.Length;)
            {
                int end = start;
                while (end < items.Length && items[end].Bucket == items[start].Bucket) end++;
                level.Add((_leafCount + items[start].Bucket, trie.Touched(_bits, items.AsSpan(start, end - start)).Hash));
                start = end;
            }
        }
        var bucketHashes = level.ToArray();

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
        return new PreparedState(this, items, bucketHashes, all, writes, root);
    }

    /// <summary>A subtree's hash, and whether it holds exactly one entry (then its hash is that entry's leaf).</summary>
    private readonly record struct Subtree(Hash32 Hash, bool Single)
    {
        public static readonly Subtree Empty = new(Hash32.Zero, false);
    }

    /// <summary>The trie below the buckets for one Prepare: reads the stored pre-state, collects the node writes.</summary>
    private sealed class TrieWork(StateTree tree, StoreCursor cursor, List<(byte[] Key, byte[]? Value)> writes)
    {
        private readonly byte[] _seek = new byte[LeafKeySize];

        /// <summary>The new hash of the subtree at <paramref name="depth"/> that holds <paramref name="changes"/> (all
        /// sharing its prefix); records the inner nodes and leaves to write or delete.</summary>
        public Subtree Touched(int depth, ReadOnlySpan<StateChange> changes)
        {
            var prefix = changes[0].Hashed;
            int present = 0;
            StateChange last = default;
            foreach (var c in changes)
                if (c.Value is not null) { present++; last = c; }
            Subtree result;
            if (present <= 1 && !HasOtherLeaf(depth, prefix, changes))
            {
                result = present == 0 ? Subtree.Empty : new Subtree(last.Leaf, true);
                // The subtree held two or more of these keys before: the inner nodes below it lie on their paths.
                if (changes.Length >= 2) DeleteNodesBelow(depth, changes);
            }
            else
            {
                if (depth >= 256) throw new InvalidOperationException("two keys with one Keccak-256 hash");
                int split = 0;
                while (split < changes.Length && !Bit(changes[split].Hashed, depth)) split++;
                var left = split > 0 ? Touched(depth + 1, changes[..split]) : Stored(depth + 1, WithBit(prefix, depth, false));
                var right = split < changes.Length ? Touched(depth + 1, changes[split..]) : Stored(depth + 1, WithBit(prefix, depth, true));
                result = Combine(left, right);
            }
            // Inner nodes below the bucket level are stored while they hold two or more entries.
            if (depth > tree._bits)
                writes.Add((NodeKey(depth, prefix), result.Hash.IsZero || result.Single ? null : result.Hash.ToArray()));
            return result;
        }

        private void DeleteNodesBelow(int depth, ReadOnlySpan<StateChange> changes)
        {
            foreach (var c in changes)
                for (int d = depth + 1; d < 256; d++)
                {
                    var key = NodeKey(d, c.Hashed);
                    // A key's stored path is contiguous: below its last inner node it is alone.
                    if (tree._store.Get(tree._buckets, key) is null) break;
                    writes.Add((key, null));
                }
        }

        /// <summary>An untouched subtree's hash from the store: its inner node, else its only leaf, else empty.</summary>
        private Subtree Stored(int depth, Hash32 prefix)
        {
            if (tree._store.Get(tree._buckets, NodeKey(depth, prefix)) is { } node) return new Subtree(new Hash32(node), false);
            SeekLeaves(depth, prefix);
            if (!cursor.Valid || !UnderPrefix(cursor.Key, depth, prefix)) return Subtree.Empty;
            return new Subtree(new Hash32(cursor.Value), true);
        }

        /// <summary>Whether a stored leaf under the prefix belongs to a key outside <paramref name="changes"/>.</summary>
        private bool HasOtherLeaf(int depth, Hash32 prefix, ReadOnlySpan<StateChange> changes)
        {
            int ci = 0;
            for (SeekLeaves(depth, prefix); cursor.Valid && UnderPrefix(cursor.Key, depth, prefix); cursor.Next())
            {
                var hashed = new Hash32(cursor.Key[1..]);
                while (ci < changes.Length && changes[ci].Hashed.CompareTo(hashed) < 0) ci++;
                if (ci >= changes.Length || changes[ci].Hashed != hashed) return true;
            }
            return false;
        }

        private void SeekLeaves(int depth, Hash32 prefix)
        {
            _seek[0] = LeafTag;
            Mask(prefix, depth).WriteTo(_seek.AsSpan(1));
            cursor.Seek(_seek);
        }

        private static bool UnderPrefix(ReadOnlySpan<byte> leafKey, int depth, Hash32 prefix)
        {
            if (leafKey.Length != LeafKeySize || leafKey[0] != LeafTag) return false;
            var hashed = leafKey[1..];
            Span<byte> p = stackalloc byte[32];
            prefix.WriteTo(p);
            int whole = depth >> 3;
            if (!hashed[..whole].SequenceEqual(p[..whole])) return false;
            int rest = depth & 7;
            return rest == 0 || ((hashed[whole] ^ p[whole]) & (0xff << (8 - rest))) == 0;
        }

        private static Subtree Combine(Subtree left, Subtree right)
        {
            if (left.Hash.IsZero && right.Hash.IsZero) return Subtree.Empty;
            if (left.Hash.IsZero && right.Single) return right;
            if (right.Hash.IsZero && left.Single) return left;
            return new Subtree(Keccak.HashPair(left.Hash, right.Hash), false);
        }
    }

    private static bool Bit(in Hash32 h, int index)
    {
        Span<byte> b = stackalloc byte[32];
        h.WriteTo(b);
        return (b[index >> 3] & (0x80 >> (index & 7))) != 0;
    }

    private static Hash32 WithBit(in Hash32 prefix, int index, bool one)
    {
        Span<byte> b = stackalloc byte[32];
        prefix.WriteTo(b);
        if (one) b[index >> 3] |= (byte)(0x80 >> (index & 7));
        else b[index >> 3] &= (byte)~(0x80 >> (index & 7));
        return new Hash32(b);
    }

    /// <summary>The first <paramref name="depth"/> bits of <paramref name="h"/>, the rest zero.</summary>
    private static Hash32 Mask(in Hash32 h, int depth)
    {
        Span<byte> b = stackalloc byte[32];
        h.WriteTo(b);
        int whole = depth >> 3, rest = depth & 7;
        if (whole < 32)
        {
            b[whole] &= (byte)(0xff << (8 - rest));
            b[(whole + 1)..].Clear();
        }
        return new Hash32(b);
    }

    private static byte[] NodeKey(int depth, in Hash32 prefix)
    {
        var key = new byte[NodeKeySize];
        key[0] = NodeTag;
        key[1] = (byte)depth;
        Mask(prefix, depth).WriteTo(key.AsSpan(2));
        return key;
    }

    private static byte[] LeafKey(in Hash32 hashed)
    {
        var key = new byte[LeafKeySize];
        key[0] = LeafTag;
        hashed.WriteTo(key.AsSpan(1));
        return key;
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
        foreach (var (key, value) in prepared.Writes)
        {
            if (value is null) batch.Delete(_buckets, key);
            else batch.Put(_buckets, key, value);
        }
        Span<byte> bucketKey = stackalloc byte[4];
        Span<byte> hash = stackalloc byte[32];
        foreach (var (index, h) in prepared.Leaves)
        {
            bucketKey[0] = BucketTag;
            WriteBucket(index - _leafCount, bucketKey[1..]);
            if (h.IsZero) batch.Delete(_buckets, bucketKey);
            else { h.WriteTo(hash); batch.Put(_buckets, bucketKey, hash); }
        }
    }

    /// <summary>Makes a staged change current in memory; call after its batch is durably written.</summary>
    public void Commit(PreparedState prepared)
    {
        foreach (var (index, h) in prepared.Nodes) _nodes[index] = h;
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

    private int BucketOf(ReadOnlySpan<byte> hashedKey)
    {
        int top = hashedKey[0] << 16 | hashedKey[1] << 8 | hashedKey[2];
        return top >> (24 - _bits);
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
    internal PreparedState(StateTree tree, StateChange[] changes, (int Index, Hash32 Hash)[] leaves, List<(int Index, Hash32 Hash)> nodes,
        List<(byte[] Key, byte[]? Value)> writes, Hash32 root)
    {
        Tree = tree;
        Changes = changes;
        Leaves = leaves;
        Nodes = nodes;
        Writes = writes;
        Root = root;
    }

    internal StateTree Tree { get; }
    internal StateChange[] Changes { get; }
    /// <summary>New bucket hashes, by heap index.</summary>
    internal (int Index, Hash32 Hash)[] Leaves { get; }
    /// <summary>Inner nodes and leaf-index entries to put (or delete, when null) in the buckets family.</summary>
    internal List<(byte[] Key, byte[]? Value)> Writes { get; }
    /// <summary>Trie nodes and leaf-index entries the change writes or deletes: about (1 + log2 of a bucket's size) per
    /// changed key.</summary>
    public int WriteCount => Writes.Count;
    internal List<(int Index, Hash32 Hash)> Nodes { get; }
    public Hash32 Root { get; }
}

/// <summary>One key's change as prepared: its bucket, hashed key and (unless deleted) leaf hash.</summary>
internal readonly record struct StateChange(int Bucket, Hash32 Hashed, Hash32 Leaf, byte[] Key, byte[]? Value);
