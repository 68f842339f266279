using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using Pwr.Core;

namespace Pwr.Vm.Evm.Trie;

/// <summary>A trie node store in a dictionary, for tests and for tries that never outlive the process.</summary>
public sealed class InMemoryTrieNodeStore : ITrieNodeStore
{
    private readonly ConcurrentDictionary<Hash32, byte[]> _nodes = new();

    public int Count => _nodes.Count;

    /// <summary>How many lookups were made, so tests can check that work follows touched keys rather than trie size.</summary>
    public int Reads => _reads;

    private int _reads;

    public bool TryGet(in Hash32 hash, [NotNullWhen(true)] out byte[]? node)
    {
        Interlocked.Increment(ref _reads);
        return _nodes.TryGetValue(hash, out node);
    }

    public void Put(IReadOnlyList<KeyValuePair<Hash32, byte[]>> nodes)
    {
        foreach (var (hash, node) in nodes) _nodes[hash] = node;
    }
}
