using System.Buffers.Binary;

namespace Pwr.Core;

/// <summary>A 20-byte PWR account address: the first 20 bytes of Keccak-224 of the account's public key.</summary>
public readonly struct Address : IEquatable<Address>, IComparable<Address>
{
    public const int Size = 20;
    private readonly ulong _a, _b;
    private readonly uint _c;

    public static readonly Address Zero;

    public Address(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length != Size) throw new ArgumentException($"an address needs {Size} bytes, got {bytes.Length}", nameof(bytes));
        _a = BinaryPrimitives.ReadUInt64BigEndian(bytes);
        _b = BinaryPrimitives.ReadUInt64BigEndian(bytes[8..]);
        _c = BinaryPrimitives.ReadUInt32BigEndian(bytes[16..]);
    }

    /// <summary>The address that holds the PWR value sent to a VM: 12 zero bytes then the VM ID.</summary>
    public static Address ForVm(ulong vmId)
    {
        Span<byte> b = stackalloc byte[Size];
        b.Clear();
        BinaryPrimitives.WriteUInt64BigEndian(b[12..], vmId);
        return new Address(b);
    }

    public static Address FromPublicKey(ReadOnlySpan<byte> publicKey)
    {
        Span<byte> digest = stackalloc byte[28];
        Keccak.Hash224(publicKey, digest);
        return new Address(digest[..Size]);
    }

    public bool IsZero => (_a | _b | _c) == 0;

    /// <summary>The address's value when it is 1..<paramref name="max"/> (0x00..01 and up, as precompiles are numbered), else 0.</summary>
    public int SmallId(int max) => (_a | _b) == 0 && _c - 1 < (uint)max ? (int)_c : 0;

    public void WriteTo(Span<byte> destination)
    {
        BinaryPrimitives.WriteUInt64BigEndian(destination, _a);
        BinaryPrimitives.WriteUInt64BigEndian(destination[8..], _b);
        BinaryPrimitives.WriteUInt32BigEndian(destination[16..], _c);
    }

    public byte[] ToArray()
    {
        var bytes = new byte[Size];
        WriteTo(bytes);
        return bytes;
    }

    public static bool TryParse(string? text, out Address address)
    {
        address = default;
        if (!Hex.TryDecode(text, out var bytes) || bytes.Length != Size) return false;
        address = new Address(bytes);
        return true;
    }

    public static Address Parse(string text)
        => TryParse(text, out var a) ? a : throw new FormatException($"'{Hex.Truncate(text)}' is not a 20-byte hex address");

    public override string ToString()
    {
        Span<byte> b = stackalloc byte[Size];
        WriteTo(b);
        return Hex.Encode(b);
    }

    public bool Equals(Address other) => _a == other._a && _b == other._b && _c == other._c;
    public override bool Equals(object? obj) => obj is Address a && Equals(a);
    public override int GetHashCode() => HashCode.Combine(_a, _b, _c);
    public int CompareTo(Address other)
    {
        int c = _a.CompareTo(other._a);
        if (c != 0) return c;
        c = _b.CompareTo(other._b);
        return c != 0 ? c : _c.CompareTo(other._c);
    }
    public static bool operator ==(Address left, Address right) => left.Equals(right);
    public static bool operator !=(Address left, Address right) => !left.Equals(right);
}
