using System.Diagnostics.CodeAnalysis;
using Pwr.Core;

namespace Pwr.Vm.Evm.Trie;

/// <summary>Where a <see cref="PatriciaTrie"/> keeps its nodes: encoded nodes addressed by their Keccak-256.</summary>
public interface ITrieNodeStore
{
    /// <summary>The encoded node whose Keccak-256 is <paramref name="hash"/>; false when the store does not have it.</summary>
    bool TryGet(in Hash32 hash, [NotNullWhen(true)] out byte[]? node);

    /// <summary>Stores a batch of new nodes (hash → encoding); nodes are content-addressed, so storing one twice is harmless.</summary>
    void Put(IReadOnlyList<KeyValuePair<Hash32, byte[]>> nodes);
}
