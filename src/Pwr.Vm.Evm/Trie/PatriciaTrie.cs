using Pwr.Core;
using Pwr.Vm.Evm.Rlp;
using RlpCodec = Pwr.Vm.Evm.Rlp.Rlp;

namespace Pwr.Vm.Evm.Trie;

/// <summary>
/// An incremental, persistent Merkle-Patricia trie over an <see cref="ITrieNodeStore"/>, opened at a root. Updates change
/// only the nodes on the touched paths (loaded from the store on demand); <see cref="Commit"/> hashes just those and returns
/// them for persisting. Old roots stay readable because stored nodes are never overwritten or removed. One writer at a
/// time: an instance is not thread-safe.
/// </summary>
public sealed class PatriciaTrie
{
    private readonly ITrieNodeStore _store;
    private TrieNode? _root;

    /// <summary>Opens the trie whose root is <paramref name="root"/> (default: the empty trie).</summary>
    public PatriciaTrie(ITrieNodeStore store, Hash32? root = null)
    {
        _store = store;
        var r = root ?? TrieNodeCodec.EmptyRoot;
        _root = r == TrieNodeCodec.EmptyRoot ? null : new HashReferenceNode(r);
    }

    /// <summary>True when changes were made since the last commit.</summary>
    public bool HasUncommittedChanges => _root is { Committed: false };

    /// <summary>The value stored under <paramref name="key"/>, or null. Callers must not modify the returned array.</summary>
    public byte[]? Get(ReadOnlySpan<byte> key)
    {
        var path = TrieNodeCodec.ToNibbles(key);
        var node = _root;
        int depth = 0;
        while (node is not null)
        {
            node = Resolve(node);
            switch (node)
            {
                case LeafNode leaf:
                    return path.AsSpan(depth).SequenceEqual(leaf.Path) ? leaf.Value : null;
                case ExtensionNode extension:
                    if (!path.AsSpan(depth).StartsWith(extension.Path)) return null;
                    depth += extension.Path.Length;
                    node = extension.Child;
                    break;
                case BranchNode branch:
                    if (depth == path.Length) return branch.Value;
                    node = branch.Children[path[depth++]];
                    break;
            }
        }
        return null;
    }

    /// <summary>
    /// The Merkle proof of <paramref name="key"/> (eth_getProof's accountProof or storageProof): the encodings of the nodes
    /// that are referenced by hash on the key's path, root first. Proves absence too. Needs a committed trie.
    /// </summary>
    public IReadOnlyList<byte[]> GetProof(ReadOnlySpan<byte> key)
    {
        if (HasUncommittedChanges) throw new InvalidOperationException("commit the trie before asking for proofs");
        var proof = new List<byte[]>();
        var path = TrieNodeCodec.ToNibbles(key);
        var node = _root;
        int depth = 0;
        bool isRoot = true;
        while (node is not null)
        {
            var resolved = Resolve(node);
            var encoded = Encode(resolved);
            // Nodes under 32 bytes are inside their parent's encoding, which is already in the proof.
            if (isRoot || encoded.Length >= 32) proof.Add(encoded);
            isRoot = false;
            switch (resolved)
            {
                case ExtensionNode extension when path.AsSpan(depth).StartsWith(extension.Path):
                    depth += extension.Path.Length;
                    node = extension.Child;
                    break;
                case BranchNode branch when depth < path.Length:
                    node = branch.Children[path[depth++]];
                    break;
                default:
                    node = null;
                    break;
            }
        }
        return proof;
    }

    /// <summary>Stores <paramref name="value"/> under <paramref name="key"/>; an empty value deletes the key, as in Ethereum.</summary>
    public void Set(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value)
    {
        if (value.IsEmpty)
        {
            Delete(key);
            return;
        }
        _root = Insert(_root, TrieNodeCodec.ToNibbles(key), 0, value.ToArray());
    }

    /// <summary>Removes <paramref name="key"/>; nothing happens when it is absent.</summary>
    public void Delete(ReadOnlySpan<byte> key) => _root = Remove(_root, TrieNodeCodec.ToNibbles(key), 0);

    /// <summary>
    /// Hashes the nodes changed since the last commit and returns the root with those nodes (children before parents).
    /// The caller persists them (in the same batch as whatever the root is recorded in); the trie stays usable.
    /// </summary>
    public TrieCommit Commit()
    {
        if (_root is null) return new TrieCommit(TrieNodeCodec.EmptyRoot, []);
        var newNodes = new List<KeyValuePair<Hash32, byte[]>>();
        Collect(_root, isRoot: true, newNodes);
        return new TrieCommit(RootHash(_root), newNodes);
    }

    /// <summary>Commits and writes the new nodes to the store in one batch; returns the new root.</summary>
    public Hash32 CommitToStore()
    {
        var commit = Commit();
        if (commit.NewNodes.Count > 0) _store.Put(commit.NewNodes);
        return commit.Root;
    }

    /// <summary>
    /// Forgets every node held in memory, keeping only the committed root, so memory does not grow with all paths ever
    /// touched. Call it only once the last commit's nodes are in the store: they are read back from there on next use.
    /// </summary>
    public void Unload()
    {
        if (HasUncommittedChanges) throw new InvalidOperationException("commit the trie before unloading it");
        if (_root is not null) _root = new HashReferenceNode(RootHash(_root));
    }

    private static Hash32 RootHash(TrieNode root)
    {
        if (root is HashReferenceNode reference) return reference.Hash!.Value;
        // The root is always addressed by hash, even when its encoding is shorter than 32 bytes.
        return root.Hash ??= Keccak.Hash256(Encode(root));
    }

    private static void Collect(TrieNode node, bool isRoot, List<KeyValuePair<Hash32, byte[]>> newNodes)
    {
        if (node.Committed) return;
        switch (node)
        {
            case ExtensionNode extension:
                Collect(extension.Child, false, newNodes);
                break;
            case BranchNode branch:
                foreach (var child in branch.Children) if (child is not null) Collect(child, false, newNodes);
                break;
        }
        var encoded = Encode(node);
        // Nodes under 32 bytes live inside their parent's encoding; only the root is stored regardless of size.
        if (encoded.Length >= 32 || isRoot) newNodes.Add(new(node.Hash ??= Keccak.Hash256(encoded), encoded));
        node.Committed = true;
    }

    private static byte[] Encode(TrieNode node) => node.Encoded ??= node switch
    {
        LeafNode leaf => TrieNodeCodec.EncodeShort(leaf.Path, leaf: true, leaf.Value),
        ExtensionNode extension => TrieNodeCodec.EncodeShort(extension.Path, leaf: false, Reference(extension.Child)),
        BranchNode branch => EncodeBranch(branch),
        _ => throw new InvalidOperationException("a hash reference has no encoding of its own"),
    };

    // Writes child references straight into the branch encoding: no per-child arrays on the commit path.
    private static byte[] EncodeBranch(BranchNode branch)
    {
        ReadOnlySpan<byte> value = branch.Value ?? [];
        int payload = RlpCodec.BytesLength(value);
        foreach (var child in branch.Children) payload += child is null ? 1 : ReferenceLength(child);
        var node = new byte[RlpCodec.ListLength(payload)];
        var writer = new RlpWriter(node);
        writer.WriteListHeader(payload);
        Span<byte> hash = stackalloc byte[Hash32.Size];
        foreach (var child in branch.Children)
        {
            if (child is null)
            {
                writer.WriteEncoded([RlpCodec.EmptyString]);
                continue;
            }
            if (child is not HashReferenceNode)
            {
                var encoded = Encode(child);
                if (encoded.Length < 32)
                {
                    writer.WriteEncoded(encoded);
                    continue;
                }
                child.Hash ??= Keccak.Hash256(encoded);
            }
            child.Hash!.Value.WriteTo(hash);
            writer.WriteBytes(hash);
        }
        writer.WriteBytes(value);
        return node;
    }

    private static int ReferenceLength(TrieNode child)
        => child is not HashReferenceNode && Encode(child) is { Length: < 32 } inline ? inline.Length : 1 + Hash32.Size;

    private static byte[] Reference(TrieNode node)
    {
        if (node is HashReferenceNode reference) return HashReference(reference.Hash!.Value);
        var encoded = Encode(node);
        if (encoded.Length < 32) return encoded;
        return HashReference(node.Hash ??= Keccak.Hash256(encoded));
    }

    private static byte[] HashReference(Hash32 hash)
    {
        var reference = new byte[33];
        reference[0] = 0x80 + 32;
        hash.WriteTo(reference.AsSpan(1));
        return reference;
    }

    private TrieNode Insert(TrieNode? node, byte[] path, int depth, byte[] value)
    {
        if (node is null) return new LeafNode(path[depth..], value);
        node = Resolve(node);
        var rest = path.AsSpan(depth);
        switch (node)
        {
            case LeafNode leaf:
            {
                int common = rest.CommonPrefixLength(leaf.Path);
                if (common == leaf.Path.Length && common == rest.Length)
                    return leaf.Value.AsSpan().SequenceEqual(value) ? leaf : new LeafNode(leaf.Path, value);
                var children = new TrieNode?[16];
                byte[]? branchValue = null;
                if (common == leaf.Path.Length) branchValue = leaf.Value;
                else children[leaf.Path[common]] = new LeafNode(leaf.Path[(common + 1)..], leaf.Value);
                if (common == rest.Length) branchValue = value;
                else children[rest[common]] = new LeafNode(path[(depth + common + 1)..], value);
                var branch = new BranchNode(children, branchValue);
                return common > 0 ? new ExtensionNode(leaf.Path[..common], branch) : branch;
            }
            case ExtensionNode extension:
            {
                int common = rest.CommonPrefixLength(extension.Path);
                if (common == extension.Path.Length)
                {
                    var child = Insert(extension.Child, path, depth + common, value);
                    return ReferenceEquals(child, extension.Child) ? extension : new ExtensionNode(extension.Path, child);
                }
                // The new key leaves the shared run part-way: split it at a new branch.
                var children = new TrieNode?[16];
                byte[]? branchValue = null;
                children[extension.Path[common]] = common + 1 == extension.Path.Length
                    ? extension.Child
                    : new ExtensionNode(extension.Path[(common + 1)..], extension.Child);
                if (common == rest.Length) branchValue = value;
                else children[rest[common]] = new LeafNode(path[(depth + common + 1)..], value);
                var branch = new BranchNode(children, branchValue);
                return common > 0 ? new ExtensionNode(extension.Path[..common], branch) : branch;
            }
            case BranchNode branch:
            {
                if (rest.IsEmpty)
                    return branch.Value is not null && branch.Value.AsSpan().SequenceEqual(value) ? branch : new BranchNode(branch.Children, value);
                int index = rest[0];
                var child = Insert(branch.Children[index], path, depth + 1, value);
                if (ReferenceEquals(child, branch.Children[index])) return branch;
                var children = (TrieNode?[])branch.Children.Clone();
                children[index] = child;
                return new BranchNode(children, branch.Value);
            }
            default:
                throw new InvalidOperationException("unresolved trie node");
        }
    }

    /// <summary>Removes the key below <paramref name="node"/>; returns the same instance when the key was absent.</summary>
    private TrieNode? Remove(TrieNode? node, byte[] path, int depth)
    {
        if (node is null) return null;
        var resolved = Resolve(node);
        var rest = path.AsSpan(depth);
        switch (resolved)
        {
            case LeafNode leaf:
                return rest.SequenceEqual(leaf.Path) ? null : node;
            case ExtensionNode extension:
            {
                if (!rest.StartsWith(extension.Path)) return node;
                var child = Remove(extension.Child, path, depth + extension.Path.Length);
                if (ReferenceEquals(child, extension.Child)) return node;
                return child is null ? null : Prepend(extension.Path, child);
            }
            case BranchNode branch:
            {
                TrieNode?[] children;
                byte[]? value = branch.Value;
                if (rest.IsEmpty)
                {
                    if (branch.Value is null) return node;
                    children = branch.Children;
                    value = null;
                }
                else
                {
                    int index = rest[0];
                    var child = Remove(branch.Children[index], path, depth + 1);
                    if (ReferenceEquals(child, branch.Children[index])) return node;
                    children = (TrieNode?[])branch.Children.Clone();
                    children[index] = child;
                }
                return Normalize(children, value);
            }
            default:
                throw new InvalidOperationException("unresolved trie node");
        }
    }

    /// <summary>A branch left with one entry becomes a leaf or is merged into the path of its only child.</summary>
    private TrieNode? Normalize(TrieNode?[] children, byte[]? value)
    {
        int count = 0, last = -1;
        for (int i = 0; i < 16; i++)
        {
            if (children[i] is null) continue;
            count++;
            last = i;
        }
        if (count + (value is null ? 0 : 1) >= 2) return new BranchNode(children, value);
        if (count == 0) return value is null ? null : new LeafNode([], value);
        return Prepend([(byte)last], children[last]!);
    }

    /// <summary>Puts <paramref name="prefix"/> in front of a node's path, merging with a leaf or extension.</summary>
    private TrieNode Prepend(byte[] prefix, TrieNode child) => Resolve(child) switch
    {
        LeafNode leaf => new LeafNode([.. prefix, .. leaf.Path], leaf.Value),
        ExtensionNode extension => new ExtensionNode([.. prefix, .. extension.Path], extension.Child),
        // Keep the branch by its reference: an unchanged stored branch needs no re-encoding.
        _ => new ExtensionNode(prefix, child),
    };

    private TrieNode Resolve(TrieNode node)
    {
        if (node is not HashReferenceNode reference) return node;
        if (reference.Resolved is { } loaded) return loaded;
        var hash = reference.Hash!.Value;
        if (!_store.TryGet(hash, out var encoded))
            throw new InvalidOperationException($"trie node {hash} is missing from the node store");
        var decoded = Decode(encoded);
        decoded.Hash = hash;
        reference.Resolved = decoded;
        return decoded;
    }

    /// <summary>Decodes a stored node; inline children are decoded at once, hashed ones become references.</summary>
    private static TrieNode Decode(byte[] encoded)
    {
        var reader = new RlpReader(encoded);
        if (!reader.TryReadList(out var items) || !reader.TryReadEnd()) throw Corrupt(encoded, reader.Error);
        var node = DecodeItems(ref items, encoded);
        node.Encoded = encoded;
        node.Committed = true;
        return node;
    }

    private static TrieNode DecodeItems(ref RlpReader items, byte[] encoded)
    {
        var probe = items;
        int count = 0;
        while (probe.HasMore && probe.TrySkip()) count++;

        if (count == 2)
        {
            if (!items.TryReadBytes(out var compact) || !TrieNodeCodec.TryReadHexPrefix(compact, out var path, out bool leaf))
                throw Corrupt(encoded, items.Error);
            if (leaf)
            {
                if (!items.TryReadBytes(out var value)) throw Corrupt(encoded, items.Error);
                return new LeafNode(path, value.ToArray());
            }
            return new ExtensionNode(path, DecodeReference(ref items, encoded) ?? throw Corrupt(encoded, RlpError.None));
        }
        if (count == 17)
        {
            var children = new TrieNode?[16];
            for (int i = 0; i < 16; i++) children[i] = DecodeReference(ref items, encoded);
            if (!items.TryReadBytes(out var value)) throw Corrupt(encoded, items.Error);
            return new BranchNode(children, value.IsEmpty ? null : value.ToArray());
        }
        throw Corrupt(encoded, RlpError.None);
    }

    private static TrieNode? DecodeReference(ref RlpReader items, byte[] encoded)
    {
        if (items.NextIsList)
        {
            if (!items.TryReadEncoded(out var inline)) throw Corrupt(encoded, items.Error);
            return Decode(inline.ToArray());
        }
        if (!items.TryReadBytes(out var reference)) throw Corrupt(encoded, items.Error);
        if (reference.IsEmpty) return null;
        if (reference.Length != Hash32.Size) throw Corrupt(encoded, RlpError.WrongSize);
        return new HashReferenceNode(new Hash32(reference));
    }

    private static InvalidDataException Corrupt(byte[] encoded, RlpError error)
        => new($"corrupt trie node {Hex.Encode(encoded.AsSpan(0, Math.Min(encoded.Length, 40)))}: {RlpCodec.Describe(error)}");
}
