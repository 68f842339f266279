using System.Buffers.Binary;

namespace Pwr.Core;

/// <summary>Writes big-endian integers and raw bytes into a span; the caller sizes the span exactly.</summary>
public ref struct BigEndianWriter(Span<byte> buffer)
{
    private readonly Span<byte> _buffer = buffer;
    public int Position { get; private set; }

    public void WriteU8(byte v) => _buffer[Position++] = v;
    public void WriteU16(ushort v) { BinaryPrimitives.WriteUInt16BigEndian(_buffer[Position..], v); Position += 2; }
    public void WriteU32(uint v) { BinaryPrimitives.WriteUInt32BigEndian(_buffer[Position..], v); Position += 4; }
    public void WriteU64(ulong v) { BinaryPrimitives.WriteUInt64BigEndian(_buffer[Position..], v); Position += 8; }
    public void WriteBytes(scoped ReadOnlySpan<byte> bytes) { bytes.CopyTo(_buffer[Position..]); Position += bytes.Length; }
    public void WriteAddress(in Address a) { a.WriteTo(_buffer[Position..]); Position += Address.Size; }
    public void WriteHash(in Hash32 h) { h.WriteTo(_buffer[Position..]); Position += Hash32.Size; }
}
