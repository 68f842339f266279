using System.Buffers.Binary;

namespace Pwr.Chain;

/// <summary>A base-layer account: PWR balance in units, next nonce, and its Falcon-512 public key once set.</summary>
public readonly record struct Account(ulong Balance, uint Nonce, byte[]? PublicKey)
{
    public static readonly Account Empty = new(0, 0, null);

    public bool IsEmpty => Balance == 0 && Nonce == 0 && PublicKey is null;

    public byte[] Encode()
    {
        int keyLen = PublicKey?.Length ?? 0;
        var bytes = new byte[8 + 4 + 2 + keyLen];
        BinaryPrimitives.WriteUInt64BigEndian(bytes, Balance);
        BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(8), Nonce);
        BinaryPrimitives.WriteUInt16BigEndian(bytes.AsSpan(12), (ushort)keyLen);
        PublicKey?.CopyTo(bytes, 14);
        return bytes;
    }

    public static Account Decode(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length < 14) throw new InvalidDataException("stored account record is truncated");
        int keyLen = BinaryPrimitives.ReadUInt16BigEndian(bytes[12..]);
        if (bytes.Length != 14 + keyLen) throw new InvalidDataException("stored account record has a bad key length");
        return new Account(
            BinaryPrimitives.ReadUInt64BigEndian(bytes),
            BinaryPrimitives.ReadUInt32BigEndian(bytes[8..]),
            keyLen == 0 ? null : bytes.Slice(14, keyLen).ToArray());
    }
}
