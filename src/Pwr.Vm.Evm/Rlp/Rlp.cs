namespace Pwr.Vm.Evm.Rlp;

/// <summary>RLP (Ethereum Yellow Paper appendix B): encoded lengths, small encoders and error messages.</summary>
public static class Rlp
{
    /// <summary>The encoding of the empty string (also of integer zero).</summary>
    public const byte EmptyString = 0x80;

    /// <summary>The encoding of the empty list.</summary>
    public const byte EmptyList = 0xc0;

    /// <summary>Encoded length of a list header for a payload of <paramref name="payloadLength"/> bytes.</summary>
    public static int ListHeaderLength(int payloadLength) => payloadLength < 56 ? 1 : 1 + ByteCount((ulong)payloadLength);

    /// <summary>Encoded length of a list whose items take <paramref name="payloadLength"/> bytes.</summary>
    public static int ListLength(int payloadLength) => ListHeaderLength(payloadLength) + payloadLength;

    /// <summary>Encoded length of a byte string.</summary>
    public static int BytesLength(ReadOnlySpan<byte> value)
    {
        if (value.Length == 1 && value[0] < 0x80) return 1;
        return StringHeaderLength(value.Length) + value.Length;
    }

    /// <summary>Encoded length of a string header for <paramref name="length"/> payload bytes (not for a lone byte below 0x80).</summary>
    public static int StringHeaderLength(int length) => length < 56 ? 1 : 1 + ByteCount((ulong)length);

    /// <summary>Encoded length of an unsigned integer (minimal big-endian, zero as the empty string).</summary>
    public static int UInt64Length(ulong value) => value < 0x80 ? 1 : 1 + ByteCount(value);

    /// <summary>Encoded length of a big-endian unsigned integer; leading zero bytes are not counted.</summary>
    public static int IntegerLength(ReadOnlySpan<byte> bigEndian) => BytesLength(TrimLeadingZeros(bigEndian));

    /// <summary>Number of bytes in the minimal big-endian form of <paramref name="value"/> (0 for zero).</summary>
    public static int ByteCount(ulong value) => (64 - System.Numerics.BitOperations.LeadingZeroCount(value) + 7) / 8;

    /// <summary>The bytes after any leading zeros: the canonical form of a big-endian integer.</summary>
    public static ReadOnlySpan<byte> TrimLeadingZeros(ReadOnlySpan<byte> bigEndian)
    {
        int first = bigEndian.IndexOfAnyExcept((byte)0);
        return first < 0 ? [] : bigEndian[first..];
    }

    public static byte[] EncodeBytes(ReadOnlySpan<byte> value)
    {
        var result = new byte[BytesLength(value)];
        new RlpWriter(result).WriteBytes(value);
        return result;
    }

    public static byte[] EncodeUInt64(ulong value)
    {
        var result = new byte[UInt64Length(value)];
        new RlpWriter(result).WriteUInt64(value);
        return result;
    }

    /// <summary>A list of items that are already RLP-encoded.</summary>
    public static byte[] EncodeList(params ReadOnlySpan<byte[]> encodedItems)
    {
        int payload = 0;
        foreach (var item in encodedItems) payload += item.Length;
        var result = new byte[ListLength(payload)];
        var writer = new RlpWriter(result);
        writer.WriteListHeader(payload);
        foreach (var item in encodedItems) writer.WriteEncoded(item);
        return result;
    }

    /// <summary>The message for an error, worded like geth's where geth has one.</summary>
    public static string Describe(RlpError error) => error switch
    {
        RlpError.None => "rlp: ok",
        RlpError.EndOfInput => "rlp: unexpected end of input",
        RlpError.Truncated => "rlp: value size exceeds available input length",
        RlpError.ElementLargerThanList => "rlp: element is larger than containing list",
        RlpError.NonCanonicalSize => "rlp: non-canonical size information",
        RlpError.SingleByteAsString => "rlp: non-canonical size information (single byte below 0x80 encoded as a string)",
        RlpError.NonCanonicalInteger => "rlp: non-canonical integer (leading zero bytes)",
        RlpError.IntegerOverflow => "rlp: integer too large for field",
        RlpError.ExpectedString => "rlp: expected String or Byte",
        RlpError.ExpectedList => "rlp: expected List",
        RlpError.TooFewElements => "rlp: too few elements",
        RlpError.TooManyElements => "rlp: input list has too many elements",
        RlpError.TrailingBytes => "rlp: input contains more than one value",
        RlpError.LengthOverflow => "rlp: length does not fit in 32 bits",
        RlpError.WrongSize => "rlp: string has the wrong size for a fixed-size field",
        _ => "rlp: unknown error",
    };
}
