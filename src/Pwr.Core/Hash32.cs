using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace Pwr.Core;

/// <summary>A 32-byte hash (Keccak-256 output, block and transaction ids, state roots).</summary>
[StructLayout(LayoutKind.Sequential)]
public readonly struct Hash32 : IEquatable<Hash32>, IComparable<Hash32>
{
    public const int Size = 32;
    private readonly ulong _a, _b, _c, _d; // big-endian words, so ordering matches byte order

    public static readonly Hash32 Zero;

    public Hash32(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length != Size) throw new ArgumentException($"a Hash32 needs {Size} bytes, got {bytes.Length}", nameof(bytes));
        _a = BinaryPrimitives.ReadUInt64BigEndian(bytes);
        _b = BinaryPrimitives.ReadUInt64BigEndian(bytes[8..]);
        _c = BinaryPrimitives.ReadUInt64BigEndian(bytes[16..]);
        _d = BinaryPrimitives.ReadUInt64BigEndian(bytes[24..]);
    }

    public bool IsZero => (_a | _b | _c | _d) == 0;

    public void WriteTo(Span<byte> destination)
    {
        BinaryPrimitives.WriteUInt64BigEndian(destination, _a);
        BinaryPrimitives.WriteUInt64BigEndian(destination[8..], _b);
        BinaryPrimitives.WriteUInt64BigEndian(destination[16..], _c);
        BinaryPrimitives.WriteUInt64BigEndian(destination[24..], _d);
    }

    public byte[] ToArray()
    {
        var bytes = new byte[Size];
        WriteTo(bytes);
        return bytes;
    }

    public static bool TryParse(string? text, out Hash32 hash)
    {
        hash = default;
        if (!Hex.TryDecode(text, out var bytes) || bytes.Length != Size) return false;
        hash = new Hash32(bytes);
        return true;
    }

    public static Hash32 Parse(string text)
        => TryParse(text, out var h) ? h : throw new FormatException($"'{Hex.Truncate(text)}' is not a 32-byte hex hash");

    public override string ToString()
    {
        Span<byte> b = stackalloc byte[Size];
        WriteTo(b);
        return Hex.Encode(b);
    }

    public bool Equals(Hash32 other) => _a == other._a && _b == other._b && _c == other._c && _d == other._d;
    public override bool Equals(object? obj) => obj is Hash32 h && Equals(h);
    public override int GetHashCode() => HashCode.Combine(_a, _b, _c, _d);
    public int CompareTo(Hash32 other)
    {
        int c = _a.CompareTo(other._a);
        if (c != 0) return c;
        c = _b.CompareTo(other._b);
        if (c != 0) return c;
        c = _c.CompareTo(other._c);
        return c != 0 ? c : _d.CompareTo(other._d);
    }
    public static bool operator ==(Hash32 left, Hash32 right) => left.Equals(right);
    public static bool operator !=(Hash32 left, Hash32 right) => !left.Equals(right);
}
