using Pwr.Core;
using Pwr.Vm.Evm.Rlp;

namespace Pwr.Vm.Evm.Trie;

/// <summary>Checks Merkle-Patricia proofs (as from <see cref="PatriciaTrie.GetProof"/> or eth_getProof) against a root.</summary>
public static class TrieProof
{
    /// <summary>
    /// True when <paramref name="proof"/> is a valid proof for <paramref name="key"/> under <paramref name="root"/>;
    /// <paramref name="value"/> is then the value, or null when the proof shows the key is absent.
    /// </summary>
    public static bool TryVerify(Hash32 root, ReadOnlySpan<byte> key, IReadOnlyList<byte[]> proof, out byte[]? value)
    {
        value = null;
        if (root == PatriciaRoot.Empty) return true;
        var path = TrieNodeCodec.ToNibbles(key);
        int depth = 0, next = 0;
        Hash32? expected = root;
        ReadOnlySpan<byte> node = default;
        while (true)
        {
            if (expected is Hash32 hash)
            {
                // Each hashed node must be the next proof element and hash to the reference that led to it.
                if (next >= proof.Count || Keccak.Hash256(proof[next]) != hash) return false;
                node = proof[next++];
            }
            var reader = new RlpReader(node);
            if (!reader.TryReadList(out var items) || !reader.TryReadEnd()) return false;
            int count = CountItems(items);
            ReadOnlySpan<byte> reference;
            if (count == 2)
            {
                if (!items.TryReadBytes(out var compact) || !TrieNodeCodec.TryReadHexPrefix(compact, out var nodePath, out bool leaf)) return false;
                bool follows = path.AsSpan(depth).StartsWith(nodePath);
                if (leaf)
                {
                    if (!items.TryReadBytes(out var leafValue)) return false;
                    if (follows && depth + nodePath.Length == path.Length) value = leafValue.ToArray();
                    return true;
                }
                if (!follows) return true;
                depth += nodePath.Length;
                if (!items.TryReadEncoded(out reference)) return false;
            }
            else if (count == 17)
            {
                if (depth == path.Length)
                {
                    for (int i = 0; i < 16; i++) items.TrySkip();
                    if (!items.TryReadBytes(out var branchValue)) return false;
                    value = branchValue.IsEmpty ? null : branchValue.ToArray();
                    return true;
                }
                for (int i = 0; i < path[depth]; i++) items.TrySkip();
                depth++;
                if (!items.TryReadEncoded(out reference)) return false;
            }
            else
            {
                return false;
            }

            if (reference.Length == 1 && reference[0] == Rlp.Rlp.EmptyString) return true; // no child: the key is absent
            if (reference.Length == 33 && reference[0] == 0x80 + 32)
            {
                expected = new Hash32(reference[1..]);
            }
            else if (reference.Length > 0 && reference[0] >= 0xc0 && reference.Length < 32)
            {
                expected = null;
                node = reference; // an inline child: part of the node just checked
            }
            else
            {
                return false;
            }
        }
    }

    private static int CountItems(RlpReader items)
    {
        int count = 0;
        while (items.HasMore && items.TrySkip()) count++;
        return items.HasMore ? -1 : count;
    }
}
