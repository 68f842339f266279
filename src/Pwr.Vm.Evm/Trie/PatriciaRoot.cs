using Pwr.Core;

namespace Pwr.Vm.Evm.Trie;

/// <summary>
/// Computes the root of a Merkle-Patricia trie from scratch (transactions and receipts roots, tests). Keys are used as
/// given (hash them first for a secure trie); values are stored as given (already RLP-encoded by the caller).
/// </summary>
public static class PatriciaRoot
{
    /// <summary>keccak(rlp("")) = 0x56e81f…b421, the root of the empty trie.</summary>
    public static Hash32 Empty => TrieNodeCodec.EmptyRoot;

    /// <summary>
    /// The root over <paramref name="entries"/>. An empty value means "absent" (as in Ethereum, where storing empty deletes);
    /// for a key given twice the last value wins.
    /// </summary>
    public static Hash32 Compute(IEnumerable<KeyValuePair<byte[], byte[]>> entries)
    {
        var list = new List<(byte[] Nibbles, byte[] Value, int Order)>();
        int order = 0;
        foreach (var (key, value) in entries) list.Add((TrieNodeCodec.ToNibbles(key), value, order++));
        list.Sort(static (a, b) =>
        {
            int c = a.Nibbles.AsSpan().SequenceCompareTo(b.Nibbles);
            return c != 0 ? c : a.Order.CompareTo(b.Order);
        });

        var sorted = new List<(byte[] Nibbles, byte[] Value)>(list.Count);
        for (int i = 0; i < list.Count; i++)
        {
            bool overwritten = i + 1 < list.Count && list[i + 1].Nibbles.AsSpan().SequenceEqual(list[i].Nibbles);
            if (!overwritten && list[i].Value.Length > 0) sorted.Add((list[i].Nibbles, list[i].Value));
        }
        if (sorted.Count == 0) return Empty;

        // The root is hashed whatever its size; only children under 32 bytes are inlined.
        return Keccak.Hash256(Build(sorted, 0, sorted.Count, 0));
    }

    /// <summary>
    /// The root of an indexed list (a block's transactions or receipts): item i is stored under the key rlp(i), and each
    /// item is already encoded (a typed transaction's value is its type byte followed by its RLP).
    /// </summary>
    public static Hash32 ComputeOrdered(IReadOnlyList<byte[]> encodedItems)
    {
        var entries = new KeyValuePair<byte[], byte[]>[encodedItems.Count];
        for (int i = 0; i < entries.Length; i++) entries[i] = new(Rlp.Rlp.EncodeUInt64((ulong)i), encodedItems[i]);
        return Compute(entries);
    }

    /// <summary>Encodes the node for sorted, distinct entries [from, to) that agree on their first <paramref name="depth"/> nibbles.</summary>
    private static byte[] Build(List<(byte[] Nibbles, byte[] Value)> entries, int from, int to, int depth)
    {
        var first = entries[from].Nibbles;
        if (to - from == 1) return TrieNodeCodec.EncodeShort(first.AsSpan(depth), leaf: true, entries[from].Value);

        // Sorted order: the prefix shared by the first and last entry is shared by all of them.
        var last = entries[to - 1].Nibbles;
        int common = first.AsSpan(depth).CommonPrefixLength(last.AsSpan(depth));
        if (common > 0)
        {
            var child = Build(entries, from, to, depth + common);
            return TrieNodeCodec.EncodeShort(first.AsSpan(depth, common), leaf: false, TrieNodeCodec.Reference(child));
        }

        var children = new byte[]?[16];
        ReadOnlySpan<byte> branchValue = [];
        int i = from;
        // A key that ends at this depth sorts first and becomes the branch's own value.
        if (first.Length == depth)
        {
            branchValue = entries[from].Value;
            i++;
        }
        while (i < to)
        {
            byte nibble = entries[i].Nibbles[depth];
            int end = i + 1;
            while (end < to && entries[end].Nibbles[depth] == nibble) end++;
            children[nibble] = TrieNodeCodec.Reference(Build(entries, i, end, depth + 1));
            i = end;
        }
        return TrieNodeCodec.EncodeBranch(children, branchValue);
    }
}
