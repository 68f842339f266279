using System.Runtime.InteropServices;
using Pwr.Core;
using Pwr.Storage;

namespace Pwr.Vm;

/// <summary>The per-block overlay over a <see cref="VmStore"/>: pending writes (null = delete) and a cached tree preparation.</summary>
internal sealed class VmBlockState : IVmState
{
    private readonly VmStore _store;
    private readonly Dictionary<byte[], byte[]?> _writes = new(SpanKeyComparer.Instance);
    private readonly Dictionary<byte[], byte[]?>.AlternateLookup<ReadOnlySpan<byte>> _lookup;
    private int _version;
    private PreparedState? _prepared;
    private int _preparedVersion = -1;

    public VmBlockState(VmStore store)
    {
        _store = store;
        _lookup = _writes.GetAlternateLookup<ReadOnlySpan<byte>>();
    }

    internal Dictionary<byte[], byte[]?> Writes => _writes;

    /// <summary>True once the VM asked for the Merkle root during this block.</summary>
    internal bool MerkleRootUsed { get; private set; }

    internal void Reset()
    {
        _writes.Clear();
        _version = 0;
        _prepared = null;
        _preparedVersion = -1;
        MerkleRootUsed = false;
    }

    public byte[]? Get(ReadOnlySpan<byte> key)
        => _lookup.TryGetValue(key, out var pending) ? pending : _store.Get(key);

    public void Set(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value)
    {
        ref var slot = ref CollectionsMarshal.GetValueRefOrAddDefault(_lookup, key, out _);
        slot = value.ToArray();
        _version++;
    }

    public void Delete(ReadOnlySpan<byte> key)
    {
        ref var slot = ref CollectionsMarshal.GetValueRefOrAddDefault(_lookup, key, out _);
        slot = null;
        _version++;
    }

    public Hash32 MerkleRoot()
    {
        MerkleRootUsed = true;
        return PrepareTree() is { } prepared ? prepared.Root : _store.TreeRoot;
    }

    /// <summary>The tree change for the writes so far (prepared once per version of the writes); null when there is none.</summary>
    internal PreparedState? PrepareTree()
    {
        if (_preparedVersion != _version)
        {
            _prepared = _store.PrepareTree(_writes);
            _preparedVersion = _version;
        }
        return _prepared;
    }
}
