using System.Buffers.Binary;
using Pwr.Core;
using Pwr.Storage;

namespace Pwr.Vm;

/// <summary>
/// One VM's own RocksDB database: its state, the Merkle tree over it, the root of every applied block and the
/// checkpoint. A block's writes, its root and the new checkpoint are written in one atomic batch, so after a crash
/// (kill -9 included) the store resumes exactly at its checkpoint: no block is applied twice or skipped.
/// </summary>
/// <remarks>
/// Column families: <c>state</c> (key → value, what reads see), <c>tree</c> and <c>buckets</c> (the
/// <see cref="StateTree"/>, kept only once the VM has called <see cref="IVmState.MerkleRoot"/>), <c>roots</c>
/// (height u64 BE → root) and <c>meta</c> (checkpoint, tree flag). Only one thread may apply blocks; reads are
/// safe from any thread.
/// </remarks>
public sealed class VmStore : IVmStateReader, IDisposable
{
    /// <summary>Bucket bits of the state tree. Part of the root's definition: changing it changes every root.</summary>
    public const int TreeBucketBits = 16;

    private static readonly byte[] CheckpointKey = "checkpoint"u8.ToArray();
    private static readonly byte[] TreeFlagKey = "tree"u8.ToArray();
    private static readonly string[] Families = ["state", "tree", "buckets", "roots", "meta"];

    private readonly KeyValueStore _kv;
    private readonly ColumnFamily _state, _roots, _meta;
    private StateTree _tree;
    private readonly VmBlockState _blockState;
    private readonly Lock _gate = new();
    private VmCheckpoint _checkpoint;
    private bool _treeActive;

    private VmStore(KeyValueStore kv)
    {
        _kv = kv;
        _state = kv.Family("state");
        _roots = kv.Family("roots");
        _meta = kv.Family("meta");
        _tree = new StateTree(kv, kv.Family("tree"), kv.Family("buckets"), TreeBucketBits);
        _treeActive = kv.Get(_meta, TreeFlagKey) is not null;
        _checkpoint = ReadCheckpoint(kv, _meta);
        _blockState = new VmBlockState(this);
    }

    /// <summary>Opens (creating if needed) the VM store in <paramref name="directory"/>.</summary>
    public static VmStore Open(string directory)
        => new(KeyValueStore.Open(directory, Families));

    /// <summary>
    /// Saves a hard-linked RocksDB snapshot of the store to <paramref name="directory"/> (must not exist; same file
    /// system) and returns the checkpoint it holds. Safe while another thread applies blocks: each block is one atomic
    /// batch, so the snapshot holds whole blocks, and its height is read from the snapshot itself.
    /// </summary>
    public VmCheckpoint SaveSnapshot(string directory)
    {
        _kv.SaveCheckpoint(directory);
        return ReadSnapshot(directory);
    }

    /// <summary>The checkpoint (height and root) held by a snapshot written by <see cref="SaveSnapshot"/>.</summary>
    public static VmCheckpoint ReadSnapshot(string directory)
    {
        using var kv = KeyValueStore.OpenReadOnly(directory, Families);
        return ReadCheckpoint(kv, kv.Family("meta"));
    }

    /// <summary>
    /// Makes the store's content exactly that of a snapshot (null: the empty store, height 0), whatever bytes the
    /// store held before: every column family is compared key by key and the differences are written in one atomic,
    /// fsynced batch, so a crash leaves either the old or the restored store. Only the thread that applies blocks may
    /// call it; readers on other threads see the old or the new state, never a mix.
    /// </summary>
    public VmCheckpoint RestoreSnapshot(string? directory)
    {
        using var snapshot = directory is null ? null : KeyValueStore.OpenReadOnly(directory, Families);
        using var batch = _kv.CreateBatch();
        foreach (var name in Families)
        {
            var live = _kv.Family(name);
            var wanted = snapshot?.Scan(snapshot.Family(name), []) ?? [];
            StageDifferences(batch, live, _kv.Scan(live, []), wanted);
        }
        _kv.Write(batch, sync: true);
        _tree = new StateTree(_kv, _kv.Family("tree"), _kv.Family("buckets"), TreeBucketBits);
        _treeActive = _kv.Get(_meta, TreeFlagKey) is not null;
        var restored = ReadCheckpoint(_kv, _meta);
        lock (_gate) _checkpoint = restored;
        return restored;
    }

    /// <summary>The raw database, for tests that corrupt it behind the store's back.</summary>
    internal KeyValueStore Database => _kv;

    // Both sequences are in RocksDB's bytewise key order, so one merge pass finds every added, changed and extra key.
    private static void StageDifferences(StoreBatch batch, ColumnFamily family, IEnumerable<KeyValuePair<byte[], byte[]>> current, IEnumerable<KeyValuePair<byte[], byte[]>> wanted)
    {
        using var have = current.GetEnumerator();
        using var want = wanted.GetEnumerator();
        bool hasHave = have.MoveNext(), hasWant = want.MoveNext();
        while (hasHave || hasWant)
        {
            int order = !hasHave ? 1 : !hasWant ? -1 : have.Current.Key.AsSpan().SequenceCompareTo(want.Current.Key);
            if (order < 0)
            {
                batch.Delete(family, have.Current.Key);
                hasHave = have.MoveNext();
            }
            else if (order > 0)
            {
                batch.Put(family, want.Current.Key, want.Current.Value);
                hasWant = want.MoveNext();
            }
            else
            {
                if (!have.Current.Value.AsSpan().SequenceEqual(want.Current.Value)) batch.Put(family, want.Current.Key, want.Current.Value);
                hasHave = have.MoveNext();
                hasWant = want.MoveNext();
            }
        }
    }

    private static VmCheckpoint ReadCheckpoint(KeyValueStore kv, ColumnFamily meta)
    {
        if (kv.Get(meta, CheckpointKey) is not { } cp) return default;
        if (cp.Length != VmCheckpoint.Size) throw new InvalidDataException($"corrupt VM checkpoint in '{kv.Path}' ({cp.Length} bytes)");
        return new VmCheckpoint(BinaryPrimitives.ReadUInt64BigEndian(cp), new Hash32(cp.AsSpan(8)));
    }

    public string Path => _kv.Path;

    public VmCheckpoint Checkpoint { get { lock (_gate) return _checkpoint; } }

    public ulong Height => Checkpoint.Height;

    public Hash32 Root => Checkpoint.Root;

    /// <summary>Committed state (what the last applied block left).</summary>
    public byte[]? Get(ReadOnlySpan<byte> key) => _kv.Get(_state, key);

    /// <summary>The root recorded after block <paramref name="height"/>; height 0 is the empty state, root zero.</summary>
    public bool TryGetRoot(ulong height, out Hash32 root)
    {
        root = Hash32.Zero;
        if (height == 0) return true;
        Span<byte> key = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64BigEndian(key, height);
        if (_kv.Get(_roots, key) is not { Length: Hash32.Size } value) return false;
        root = new Hash32(value);
        return true;
    }

    /// <summary>
    /// Executes <paramref name="block"/> (which must be the block after the checkpoint) and commits its writes, root
    /// and checkpoint atomically. If the VM throws, nothing is written and the exception propagates.
    /// <paramref name="sync"/> fsyncs the write; without it a crash of the process still loses nothing, a power
    /// loss may lose the last blocks (re-applied on restart, since the checkpoint goes with them).
    /// </summary>
    public Hash32 ApplyBlock(IVirtualMachine vm, VmBlock block, bool sync = true)
    {
        ArgumentNullException.ThrowIfNull(vm);
        ArgumentNullException.ThrowIfNull(block);
        ulong height = Height;
        if (block.Number != height + 1)
            throw new ArgumentException($"VM store '{Path}' is at height {height}; the next block is {height + 1}, not {block.Number}", nameof(block));

        var state = _blockState;
        state.Reset();
        try
        {
            vm.ExecuteBlock(block, state);
            var root = vm.StateRoot(state);

            // Once the tree is in use it must follow every write, whether or not this block asked for the root.
            var prepared = state.MerkleRootUsed || (_treeActive && state.Writes.Count > 0) ? state.PrepareTree() : null;

            using var batch = _kv.CreateBatch();
            foreach (var (key, value) in state.Writes)
            {
                if (value is null) batch.Delete(_state, key);
                else batch.Put(_state, key, value);
            }
            if (prepared is not null)
            {
                _tree.Stage(prepared, batch);
                if (!_treeActive) batch.Put(_meta, TreeFlagKey, [1]);
            }
            Span<byte> buffer = stackalloc byte[VmCheckpoint.Size];
            BinaryPrimitives.WriteUInt64BigEndian(buffer, block.Number);
            root.WriteTo(buffer[8..]);
            batch.Put(_roots, buffer[..8], buffer[8..]);
            batch.Put(_meta, CheckpointKey, buffer);
            _kv.Write(batch, sync);

            if (prepared is not null)
            {
                _tree.Commit(prepared);
                _treeActive = true;
            }
            lock (_gate) _checkpoint = new VmCheckpoint(block.Number, root);
            return root;
        }
        finally
        {
            state.Reset();
        }
    }

    /// <summary>The committed tree root; only meaningful once the tree is in use (before that, PrepareTree never returns null).</summary>
    /// <summary>Whether the state tree is maintained (the VM has asked for the Merkle root at least once).</summary>
    internal bool TreeActive => _treeActive;

    internal Hash32 TreeRoot => _tree.Root;

    /// <summary>The tree change for a block's writes, or null when the tree is in use and nothing changed.</summary>
    internal PreparedState? PrepareTree(Dictionary<byte[], byte[]?> writes)
    {
        if (_treeActive) return writes.Count == 0 ? null : _tree.Prepare(writes);
        return BuildTree(writes);
    }

    // First use of the tree: it starts from all committed state (empty for VMs that call MerkleRoot from block 1),
    // so a VM that only starts asking for the root later still gets the root over everything it wrote.
    private PreparedState BuildTree(Dictionary<byte[], byte[]?> writes)
    {
        var all = new Dictionary<byte[], byte[]?>(ByteArrayComparer.Instance);
        foreach (var (key, value) in _kv.Scan(_state, [])) all[key] = value;
        foreach (var (key, value) in writes) all[key] = value;
        return _tree.Prepare(all);
    }

    public void Dispose() => _kv.Dispose();
}
