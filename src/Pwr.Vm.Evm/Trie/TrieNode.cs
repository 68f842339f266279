using Pwr.Core;

namespace Pwr.Vm.Evm.Trie;

/// <summary>
/// An immutable in-memory trie node. Updates build new nodes along the touched path, so a node that exists at a commit is
/// never changed afterwards and its cached encoding stays valid.
/// </summary>
internal abstract class TrieNode
{
    /// <summary>The node's RLP encoding, computed once at the first commit that reaches it (or known from the store).</summary>
    public byte[]? Encoded;

    /// <summary>Keccak-256 of <see cref="Encoded"/> when it is 32 bytes or longer (or when it is a root).</summary>
    public Hash32? Hash;

    /// <summary>True once the node is in a commit's output or came from the store: commits skip such subtrees.</summary>
    public bool Committed;
}

/// <summary>A key's remaining nibbles and its value.</summary>
internal sealed class LeafNode(byte[] path, byte[] value) : TrieNode
{
    public readonly byte[] Path = path;
    public readonly byte[] Value = value;
}

/// <summary>A run of nibbles shared by every key below, then one child (always a branch in a well-formed trie).</summary>
internal sealed class ExtensionNode(byte[] path, TrieNode child) : TrieNode
{
    public readonly byte[] Path = path;
    public readonly TrieNode Child = child;
}

/// <summary>Sixteen children by next nibble, and the value of the key that ends here (null when none).</summary>
internal sealed class BranchNode(TrieNode?[] children, byte[]? value) : TrieNode
{
    public readonly TrieNode?[] Children = children;
    public readonly byte[]? Value = value;
}

/// <summary>A child known only by hash, loaded from the store on first use.</summary>
internal sealed class HashReferenceNode : TrieNode
{
    public HashReferenceNode(Hash32 hash)
    {
        Hash = hash;
        Committed = true;
    }

    /// <summary>The loaded node, cached so a path is read from the store once.</summary>
    public TrieNode? Resolved;
}
