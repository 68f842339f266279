namespace Pwr.Vm.Evm.Rlp;

/// <summary>
/// Reads canonical RLP from a span. Every method returns false on bad input and leaves the reason in <see cref="Error"/>;
/// a list is read through a nested reader over its payload, so an item cannot run past its list.
/// </summary>
public ref struct RlpReader
{
    private readonly ReadOnlySpan<byte> _data;
    private readonly bool _isList;
    private readonly int _baseOffset;
    private int _position;

    public RlpReader(ReadOnlySpan<byte> data) : this(data, isList: false, baseOffset: 0) { }

    private RlpReader(ReadOnlySpan<byte> data, bool isList, int baseOffset)
    {
        _data = data;
        _isList = isList;
        _baseOffset = baseOffset;
        _position = 0;
        Error = RlpError.None;
    }

    /// <summary>Why the last failed call failed.</summary>
    public RlpError Error { readonly get; private set; }

    /// <summary>Offset of the failing item (or the next item) from the start of the outermost input.</summary>
    public readonly int Offset => _baseOffset + _position;

    /// <summary>True while unread items remain.</summary>
    public readonly bool HasMore => _position < _data.Length;

    /// <summary>True when the next item is a list; false when it is a string or nothing is left.</summary>
    public readonly bool NextIsList => _position < _data.Length && _data[_position] >= 0xc0;

    /// <summary>Reads a string item and returns its payload.</summary>
    public bool TryReadBytes(out ReadOnlySpan<byte> value)
    {
        value = default;
        if (!TryReadHeader(out bool isList, out int payloadStart, out int payloadLength)) return false;
        if (isList) return Fail(RlpError.ExpectedString);
        value = _data.Slice(payloadStart, payloadLength);
        _position = payloadStart + payloadLength;
        return true;
    }

    /// <summary>Reads a string of exactly <paramref name="size"/> bytes (an address, a hash).</summary>
    public bool TryReadFixed(int size, out ReadOnlySpan<byte> value)
    {
        int start = _position;
        if (!TryReadBytes(out value)) return false;
        if (value.Length == size) return true;
        _position = start;
        return Fail(RlpError.WrongSize);
    }

    /// <summary>Reads a list item and returns a reader over its items.</summary>
    public bool TryReadList(out RlpReader items)
    {
        items = default;
        if (!TryReadHeader(out bool isList, out int payloadStart, out int payloadLength)) return false;
        if (!isList) return Fail(RlpError.ExpectedList);
        items = new RlpReader(_data.Slice(payloadStart, payloadLength), isList: true, _baseOffset + payloadStart);
        _position = payloadStart + payloadLength;
        return true;
    }

    /// <summary>Reads any item and returns it whole, header included.</summary>
    public bool TryReadEncoded(out ReadOnlySpan<byte> item)
    {
        item = default;
        int start = _position;
        if (!TryReadHeader(out _, out int payloadStart, out int payloadLength)) return false;
        _position = payloadStart + payloadLength;
        item = _data[start.._position];
        return true;
    }

    /// <summary>Reads an unsigned integer of at most 8 bytes, rejecting leading zeros.</summary>
    public bool TryReadUInt64(out ulong value)
    {
        value = 0;
        if (!TryReadInteger(8, out var bytes)) return false;
        foreach (byte b in bytes) value = (value << 8) | b;
        return true;
    }

    /// <summary>Reads an unsigned big-endian integer of at most <paramref name="maxBytes"/> bytes, rejecting leading zeros.</summary>
    public bool TryReadInteger(int maxBytes, out ReadOnlySpan<byte> value)
    {
        int start = _position;
        if (!TryReadBytes(out value)) return false;
        if (value.Length > 0 && value[0] == 0)
        {
            _position = start;
            return Fail(RlpError.NonCanonicalInteger);
        }
        if (value.Length > maxBytes)
        {
            _position = start;
            return Fail(RlpError.IntegerOverflow);
        }
        return true;
    }

    /// <summary>Succeeds when nothing is left: trailing bytes after a top-level value, or extra items in a list, fail.</summary>
    public bool TryReadEnd()
    {
        if (!HasMore) return true;
        return Fail(_isList ? RlpError.TooManyElements : RlpError.TrailingBytes);
    }

    /// <summary>Skips one item.</summary>
    public bool TrySkip() => TryReadEncoded(out _);

    private bool TryReadHeader(out bool isList, out int payloadStart, out int payloadLength)
    {
        isList = false;
        payloadStart = 0;
        payloadLength = 0;
        var rest = _data[_position..];
        if (rest.IsEmpty) return Fail(_isList ? RlpError.TooFewElements : RlpError.EndOfInput);

        byte prefix = rest[0];
        int headerLength;
        if (prefix < 0x80)
        {
            payloadStart = _position;
            payloadLength = 1;
            return true;
        }
        if (prefix < 0xb8)
        {
            headerLength = 1;
            payloadLength = prefix - 0x80;
            if (payloadLength == 1)
            {
                if (rest.Length < 2) return Fail(TruncatedError);
                if (rest[1] < 0x80) return Fail(RlpError.SingleByteAsString);
            }
        }
        else if (prefix < 0xc0)
        {
            if (!TryReadLongLength(rest, prefix - 0xb7, out payloadLength)) return false;
            headerLength = 1 + prefix - 0xb7;
        }
        else if (prefix < 0xf8)
        {
            isList = true;
            headerLength = 1;
            payloadLength = prefix - 0xc0;
        }
        else
        {
            isList = true;
            if (!TryReadLongLength(rest, prefix - 0xf7, out payloadLength)) return false;
            headerLength = 1 + prefix - 0xf7;
        }

        if ((long)headerLength + payloadLength > rest.Length) return Fail(TruncatedError);
        payloadStart = _position + headerLength;
        return true;
    }

    private bool TryReadLongLength(ReadOnlySpan<byte> rest, int lengthOfLength, out int length)
    {
        length = 0;
        if (rest.Length < 1 + lengthOfLength) return Fail(TruncatedError);
        var lengthBytes = rest.Slice(1, lengthOfLength);
        // A long length with a leading zero byte could have been written shorter.
        if (lengthBytes[0] == 0) return Fail(RlpError.NonCanonicalSize);
        if (lengthOfLength > 4) return Fail(RlpError.LengthOverflow);
        ulong value = 0;
        foreach (byte b in lengthBytes) value = (value << 8) | b;
        if (value > int.MaxValue) return Fail(RlpError.LengthOverflow);
        // Lengths below 56 must use the one-byte header form.
        if (value < 56) return Fail(RlpError.NonCanonicalSize);
        length = (int)value;
        return true;
    }

    private readonly RlpError TruncatedError => _isList ? RlpError.ElementLargerThanList : RlpError.Truncated;

    private bool Fail(RlpError error)
    {
        Error = error;
        return false;
    }
}
