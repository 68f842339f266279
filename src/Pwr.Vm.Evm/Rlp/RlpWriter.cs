using System.Buffers.Binary;

namespace Pwr.Vm.Evm.Rlp;

/// <summary>Writes RLP into a caller-sized buffer; size it first with the <see cref="Rlp"/> length helpers.</summary>
public ref struct RlpWriter
{
    private readonly Span<byte> _buffer;
    private int _position;

    public RlpWriter(Span<byte> buffer)
    {
        _buffer = buffer;
        _position = 0;
    }

    /// <summary>Bytes written so far.</summary>
    public readonly int Position => _position;

    /// <summary>The bytes written so far.</summary>
    public readonly Span<byte> Written => _buffer[.._position];

    public void WriteBytes(scoped ReadOnlySpan<byte> value)
    {
        if (value.Length == 1 && value[0] < 0x80)
        {
            _buffer[_position++] = value[0];
            return;
        }
        WriteHeader(0x80, value.Length);
        value.CopyTo(_buffer[_position..]);
        _position += value.Length;
    }

    public void WriteUInt64(ulong value)
    {
        if (value < 0x80)
        {
            _buffer[_position++] = value == 0 ? Rlp.EmptyString : (byte)value;
            return;
        }
        int count = Rlp.ByteCount(value);
        _buffer[_position++] = (byte)(0x80 + count);
        WriteBigEndian(value, count);
    }

    /// <summary>An unsigned big-endian integer of any width, written without its leading zero bytes.</summary>
    public void WriteInteger(scoped ReadOnlySpan<byte> bigEndian) => WriteBytes(Rlp.TrimLeadingZeros(bigEndian));

    public void WriteListHeader(int payloadLength) => WriteHeader(0xc0, payloadLength);

    /// <summary>Copies an item that is already RLP-encoded.</summary>
    public void WriteEncoded(scoped ReadOnlySpan<byte> encoded)
    {
        encoded.CopyTo(_buffer[_position..]);
        _position += encoded.Length;
    }

    private void WriteHeader(byte offset, int length)
    {
        if (length < 56)
        {
            _buffer[_position++] = (byte)(offset + length);
            return;
        }
        int count = Rlp.ByteCount((ulong)length);
        _buffer[_position++] = (byte)(offset + 55 + count);
        WriteBigEndian((ulong)length, count);
    }

    private void WriteBigEndian(ulong value, int count)
    {
        Span<byte> full = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64BigEndian(full, value);
        full[(8 - count)..].CopyTo(_buffer[_position..]);
        _position += count;
    }
}
