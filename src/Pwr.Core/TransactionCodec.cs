using System.Diagnostics.CodeAnalysis;

namespace Pwr.Core;

/// <summary>Why a byte string is not a well-formed transaction.</summary>
public enum DecodeError
{
    None,
    Empty,
    Oversized,
    Truncated,
    TrailingBytes,
    UnknownType,
    BadSignatureLength,
    BadPublicKey,
    BadEvidence,
}

/// <summary>Decodes and encodes the big-endian wire format of DESIGN.md; never throws on bad input.</summary>
public static class TransactionCodec
{
    /// <summary>Hard cap independent of chain options, so nothing unbounded is ever hashed or parsed.</summary>
    public const int AbsoluteMaxSize = 4 * 1024 * 1024;

    public static bool TryDecode(byte[] raw, [NotNullWhen(true)] out Transaction? tx, out DecodeError error, out string message)
        => TryDecode(raw, AbsoluteMaxSize, out tx, out error, out message);

    public static bool TryDecode(byte[] raw, int maxSize, [NotNullWhen(true)] out Transaction? tx, out DecodeError error, out string message)
        => TryDecode(raw, maxSize, null, out tx, out error, out message);

    /// <summary>Decodes a transaction whose hash is already known (read back from storage), skipping the Keccak pass.</summary>
    public static bool TryDecode(byte[] raw, Hash32 knownHash, [NotNullWhen(true)] out Transaction? tx, out string message)
        => TryDecode(raw, AbsoluteMaxSize, knownHash, out tx, out _, out message);

    private static bool TryDecode(byte[] raw, int maxSize, Hash32? knownHash, [NotNullWhen(true)] out Transaction? tx, out DecodeError error, out string message)
    {
        tx = null;
        if (raw.Length == 0) return Fail(DecodeError.Empty, "transaction is empty", out error, out message);
        if (raw.Length > maxSize || raw.Length > AbsoluteMaxSize)
            return Fail(DecodeError.Oversized, $"transaction is {raw.Length} bytes; the limit is {Math.Min(maxSize, AbsoluteMaxSize)}", out error, out message);
        if (raw.Length < Transaction.HeaderSize + 2)
            return Fail(DecodeError.Truncated, $"transaction is {raw.Length} bytes, shorter than the {Transaction.HeaderSize}-byte header and signature length", out error, out message);

        int sigLen = (raw[^2] << 8) | raw[^1];
        if (sigLen < Falcon512.MinSignatureSize || sigLen > Falcon512.MaxSignatureSize)
            return Fail(DecodeError.BadSignatureLength, $"signature length {sigLen} is outside {Falcon512.MinSignatureSize}..{Falcon512.MaxSignatureSize}", out error, out message);
        int unsignedLength = raw.Length - 2 - sigLen;
        if (unsignedLength < Transaction.HeaderSize)
            return Fail(DecodeError.Truncated, $"signature length {sigLen} leaves {Math.Max(unsignedLength, 0)} bytes for a transaction that needs at least {Transaction.HeaderSize}", out error, out message);

        var r = new BigEndianReader(raw.AsSpan(0, unsignedLength));
        r.TryReadU32(out uint type);
        r.TryReadU8(out byte chainId);
        r.TryReadU32(out uint nonce);
        r.TryReadU64(out ulong feePerByte);
        r.TryReadAddress(out Address sender);

        ReadOnlyMemory<byte> publicKey = default, data = default;
        ReadOnlyMemory<byte> voteA = default, voteB = default;
        Address receiver = default, validator = default;
        ulong amount = 0, vmId = 0, value = 0;
        switch ((TransactionType)type)
        {
            case TransactionType.SetPublicKey:
                if (!r.TryReadU16(out ushort keyLen)) return Truncated("public key length", out error, out message);
                int keyStart = r.Position;
                if (!r.TryReadBytes(keyLen, out var key)) return Truncated($"{keyLen}-byte public key", out error, out message);
                if (!Falcon512.IsWellFormedPublicKey(key))
                    return Fail(DecodeError.BadPublicKey, $"public key must be {Falcon512.PublicKeySize} bytes starting 0x09 (Falcon-512), got {keyLen} bytes", out error, out message);
                publicKey = raw.AsMemory(keyStart, keyLen);
                break;
            case TransactionType.Transfer:
                if (!r.TryReadAddress(out receiver)) return Truncated("receiver", out error, out message);
                if (!r.TryReadU64(out amount)) return Truncated("amount", out error, out message);
                break;
            case TransactionType.ClaimVmId:
                if (!r.TryReadU64(out vmId)) return Truncated("VM ID", out error, out message);
                break;
            case TransactionType.VmData:
                if (!r.TryReadU64(out vmId)) return Truncated("VM ID", out error, out message);
                if (!r.TryReadU32(out uint dataLen)) return Truncated("data length", out error, out message);
                int dataStart = r.Position;
                if (dataLen > int.MaxValue || !r.TryReadBytes((int)dataLen, out _)) return Truncated($"{dataLen}-byte data", out error, out message);
                data = raw.AsMemory(dataStart, (int)dataLen);
                if (!r.TryReadU64(out value)) return Truncated("value", out error, out message);
                break;
            case TransactionType.JoinAsValidator:
                if (!r.TryReadU64(out amount)) return Truncated("stake", out error, out message);
                break;
            case TransactionType.Delegate:
            case TransactionType.Undelegate:
                if (!r.TryReadAddress(out validator)) return Truncated("validator", out error, out message);
                if (!r.TryReadU64(out amount)) return Truncated("amount", out error, out message);
                break;
            case TransactionType.DoubleSignEvidence:
                if (!TryReadVote(ref r, raw, "A", out voteA, out error, out message)) return false;
                if (!TryReadVote(ref r, raw, "B", out voteB, out error, out message)) return false;
                break;
            default:
                return Fail(DecodeError.UnknownType, $"unknown transaction type {type}; known types are 1001, 1006, 1028, 1030, 1040, 1041, 1042, 1043", out error, out message);
        }
        if (r.Remaining != 0)
            return Fail(DecodeError.TrailingBytes, $"{r.Remaining} unexpected bytes after the body of a type {type} transaction", out error, out message);

        tx = new Transaction
        {
            Type = (TransactionType)type,
            ChainId = chainId,
            Nonce = nonce,
            FeePerByte = feePerByte,
            Sender = sender,
            PublicKey = publicKey,
            Receiver = receiver,
            Amount = amount,
            VmId = vmId,
            Data = data,
            Value = value,
            Validator = validator,
            VoteA = voteA,
            VoteB = voteB,
            Signature = raw.AsMemory(unsignedLength, sigLen),
            Raw = raw,
            UnsignedLength = unsignedLength,
            Hash = knownHash ?? Keccak.Hash256(raw),
        };
        error = DecodeError.None;
        message = "";
        return true;
    }

    private static bool TryReadVote(ref BigEndianReader r, byte[] raw, string name, out ReadOnlyMemory<byte> vote, out DecodeError error, out string message)
    {
        vote = default;
        if (!r.TryReadU32(out uint len)) return Truncated($"vote {name} length", out error, out message);
        if (len == 0) return Fail(DecodeError.BadEvidence, $"vote {name} of the evidence is empty", out error, out message);
        int start = r.Position;
        if (len > int.MaxValue || !r.TryReadBytes((int)len, out _)) return Truncated($"{len}-byte vote {name}", out error, out message);
        vote = raw.AsMemory(start, (int)len);
        error = DecodeError.None;
        message = "";
        return true;
    }

    private static bool Truncated(string what, out DecodeError error, out string message)
        => Fail(DecodeError.Truncated, $"transaction ends before its {what}", out error, out message);

    private static bool Fail(DecodeError e, string m, out DecodeError error, out string message)
    {
        error = e;
        message = m;
        return false;
    }

    /// <summary>Appends signature and its u16 length to an unsigned encoding.</summary>
    public static byte[] Seal(ReadOnlySpan<byte> unsignedTx, ReadOnlySpan<byte> signature)
    {
        var raw = new byte[unsignedTx.Length + signature.Length + 2];
        unsignedTx.CopyTo(raw);
        signature.CopyTo(raw.AsSpan(unsignedTx.Length));
        raw[^2] = (byte)(signature.Length >> 8);
        raw[^1] = (byte)signature.Length;
        return raw;
    }
}
