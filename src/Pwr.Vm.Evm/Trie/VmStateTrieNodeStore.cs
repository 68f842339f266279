using System.Diagnostics.CodeAnalysis;
using Pwr.Core;

namespace Pwr.Vm.Evm.Trie;

/// <summary>
/// Trie nodes kept in a VM's own key/value state (RocksDB through the VM host) under <c>prefix ‖ hash</c>. Writes go
/// through <see cref="IVmState"/>, so a block's new nodes land in the same atomic batch as its checkpoint.
/// </summary>
public sealed class VmStateTrieNodeStore : ITrieNodeStore
{
    private readonly IVmStateReader _state;
    private readonly byte[] _prefix;

    /// <summary>A store over <paramref name="state"/>; pass an <see cref="IVmState"/> to be able to write.</summary>
    public VmStateTrieNodeStore(IVmStateReader state, ReadOnlySpan<byte> keyPrefix)
    {
        _state = state;
        _prefix = keyPrefix.ToArray();
    }

    public bool TryGet(in Hash32 hash, [NotNullWhen(true)] out byte[]? node)
    {
        Span<byte> key = stackalloc byte[_prefix.Length + Hash32.Size];
        WriteKey(hash, key);
        node = _state.Get(key);
        return node is not null;
    }

    public void Put(IReadOnlyList<KeyValuePair<Hash32, byte[]>> nodes)
    {
        if (_state is not IVmState writable) throw new InvalidOperationException("this trie node store was opened read-only");
        Span<byte> key = stackalloc byte[_prefix.Length + Hash32.Size];
        foreach (var (hash, node) in nodes)
        {
            WriteKey(hash, key);
            writable.Set(key, node);
        }
    }

    private void WriteKey(in Hash32 hash, Span<byte> key)
    {
        _prefix.CopyTo(key);
        hash.WriteTo(key[_prefix.Length..]);
    }
}
