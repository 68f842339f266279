using System.Buffers.Binary;

namespace Pwr.Core;

/// <summary>Reads big-endian fields from a span; every Try method fails instead of reading past the end.</summary>
public ref struct BigEndianReader(ReadOnlySpan<byte> buffer)
{
    private readonly ReadOnlySpan<byte> _buffer = buffer;
    public int Position { get; private set; }
    public readonly int Remaining => _buffer.Length - Position;

    public bool TryReadU8(out byte v)
    {
        v = 0;
        if (Remaining < 1) return false;
        v = _buffer[Position++];
        return true;
    }

    public bool TryReadU16(out ushort v)
    {
        v = 0;
        if (Remaining < 2) return false;
        v = BinaryPrimitives.ReadUInt16BigEndian(_buffer[Position..]);
        Position += 2;
        return true;
    }

    public bool TryReadU32(out uint v)
    {
        v = 0;
        if (Remaining < 4) return false;
        v = BinaryPrimitives.ReadUInt32BigEndian(_buffer[Position..]);
        Position += 4;
        return true;
    }

    public bool TryReadU64(out ulong v)
    {
        v = 0;
        if (Remaining < 8) return false;
        v = BinaryPrimitives.ReadUInt64BigEndian(_buffer[Position..]);
        Position += 8;
        return true;
    }

    public bool TryReadBytes(int length, out ReadOnlySpan<byte> bytes)
    {
        bytes = default;
        if (length < 0 || Remaining < length) return false;
        bytes = _buffer.Slice(Position, length);
        Position += length;
        return true;
    }

    public bool TryReadAddress(out Address a)
    {
        a = default;
        if (Remaining < Address.Size) return false;
        a = new Address(_buffer.Slice(Position, Address.Size));
        Position += Address.Size;
        return true;
    }

    public bool TryReadHash(out Hash32 h)
    {
        h = default;
        if (Remaining < Hash32.Size) return false;
        h = new Hash32(_buffer.Slice(Position, Hash32.Size));
        Position += Hash32.Size;
        return true;
    }
}
