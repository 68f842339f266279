using Pwr.Core;

namespace Pwr.Vm.Evm.Trie;

/// <summary>The result of <see cref="PatriciaTrie.Commit"/>: the new root and the nodes created since the previous commit.</summary>
public sealed record TrieCommit(Hash32 Root, IReadOnlyList<KeyValuePair<Hash32, byte[]>> NewNodes);
