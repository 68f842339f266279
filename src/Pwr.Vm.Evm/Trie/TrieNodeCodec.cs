using Pwr.Core;
using Pwr.Vm.Evm.Rlp;

namespace Pwr.Vm.Evm.Trie;

/// <summary>
/// Encodes Merkle-Patricia nodes (Yellow Paper appendix D): leaf and extension paths in hex-prefix form, branches as
/// 17-item lists, and child references that inline nodes shorter than 32 bytes and hash the rest.
/// </summary>
internal static class TrieNodeCodec
{
    /// <summary>keccak(rlp("")): the root of a trie with no entries.</summary>
    public static readonly Hash32 EmptyRoot = Hash32.Parse("0x56e81f171bcc55a6ff8345e692c0f86e5b48e01b996cadc001622fb5e363b421");

    /// <summary>Splits a key into nibbles, high nibble first.</summary>
    public static byte[] ToNibbles(ReadOnlySpan<byte> key)
    {
        var nibbles = new byte[key.Length * 2];
        for (int i = 0; i < key.Length; i++)
        {
            nibbles[2 * i] = (byte)(key[i] >> 4);
            nibbles[2 * i + 1] = (byte)(key[i] & 0x0f);
        }
        return nibbles;
    }

    public static int HexPrefixLength(int nibbleCount) => nibbleCount / 2 + 1;

    /// <summary>Hex-prefix encoding: a flag nibble (2 = leaf, 1 = odd length) then the path packed two nibbles a byte.</summary>
    public static void WriteHexPrefix(ReadOnlySpan<byte> nibbles, bool leaf, Span<byte> destination)
    {
        int flag = leaf ? 2 : 0;
        int i = 0;
        if ((nibbles.Length & 1) == 1)
        {
            destination[0] = (byte)(((flag | 1) << 4) | nibbles[0]);
            i = 1;
        }
        else
        {
            destination[0] = (byte)(flag << 4);
        }
        for (int o = 1; i < nibbles.Length; i += 2, o++) destination[o] = (byte)((nibbles[i] << 4) | nibbles[i + 1]);
    }

    /// <summary>Decodes a hex-prefix path; false when the flag nibble is invalid.</summary>
    public static bool TryReadHexPrefix(ReadOnlySpan<byte> encoded, out byte[] nibbles, out bool leaf)
    {
        nibbles = [];
        leaf = false;
        if (encoded.IsEmpty) return false;
        int flag = encoded[0] >> 4;
        if (flag > 3) return false;
        leaf = (flag & 2) != 0;
        bool odd = (flag & 1) != 0;
        if (!odd && (encoded[0] & 0x0f) != 0) return false;
        nibbles = new byte[(encoded.Length - 1) * 2 + (odd ? 1 : 0)];
        int n = 0;
        if (odd) nibbles[n++] = (byte)(encoded[0] & 0x0f);
        for (int i = 1; i < encoded.Length; i++)
        {
            nibbles[n++] = (byte)(encoded[i] >> 4);
            nibbles[n++] = (byte)(encoded[i] & 0x0f);
        }
        return true;
    }

    /// <summary>A leaf or extension node: [hexPrefix(path), second] where second is a value string or a child reference.</summary>
    public static byte[] EncodeShort(ReadOnlySpan<byte> pathNibbles, bool leaf, ReadOnlySpan<byte> valueOrReference)
    {
        int pathLength = HexPrefixLength(pathNibbles.Length);
        Span<byte> path = pathLength <= 64 ? stackalloc byte[pathLength] : new byte[pathLength];
        WriteHexPrefix(pathNibbles, leaf, path);
        // A leaf holds the value as an RLP string; an extension holds its child reference as already-encoded RLP.
        int secondLength = leaf ? Rlp.Rlp.BytesLength(valueOrReference) : valueOrReference.Length;
        int payload = Rlp.Rlp.BytesLength(path) + secondLength;
        var node = new byte[Rlp.Rlp.ListLength(payload)];
        var writer = new RlpWriter(node);
        writer.WriteListHeader(payload);
        writer.WriteBytes(path);
        if (leaf) writer.WriteBytes(valueOrReference);
        else writer.WriteEncoded(valueOrReference);
        return node;
    }

    /// <summary>A branch node: 16 child references (null = empty) and the value of the key that ends here (empty = none).</summary>
    public static byte[] EncodeBranch(ReadOnlySpan<byte[]?> childReferences, ReadOnlySpan<byte> value)
    {
        int payload = Rlp.Rlp.BytesLength(value);
        for (int i = 0; i < 16; i++) payload += childReferences[i]?.Length ?? 1;
        var node = new byte[Rlp.Rlp.ListLength(payload)];
        var writer = new RlpWriter(node);
        writer.WriteListHeader(payload);
        for (int i = 0; i < 16; i++)
        {
            if (childReferences[i] is { } reference) writer.WriteEncoded(reference);
            else writer.WriteEncoded([Rlp.Rlp.EmptyString]);
        }
        writer.WriteBytes(value);
        return node;
    }

    /// <summary>How a parent refers to a node: the node itself when under 32 bytes, else the RLP string of its Keccak-256.</summary>
    public static byte[] Reference(byte[] node)
    {
        if (node.Length < 32) return node;
        var reference = new byte[33];
        reference[0] = 0x80 + 32;
        Keccak.Hash256(node, reference.AsSpan(1));
        return reference;
    }
}
