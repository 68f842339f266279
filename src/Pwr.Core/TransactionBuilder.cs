namespace Pwr.Core;

/// <summary>Builds unsigned encodings and signs them: the client side of the wire format.</summary>
public static class TransactionBuilder
{
    public static byte[] SetPublicKey(byte chainId, uint nonce, ulong feePerByte, Address sender, ReadOnlySpan<byte> publicKey)
    {
        var buf = new byte[Transaction.HeaderSize + 2 + publicKey.Length];
        var w = Header(buf, TransactionType.SetPublicKey, chainId, nonce, feePerByte, sender);
        w.WriteU16((ushort)publicKey.Length);
        w.WriteBytes(publicKey);
        return buf;
    }

    public static byte[] Transfer(byte chainId, uint nonce, ulong feePerByte, Address sender, Address receiver, ulong amount)
    {
        var buf = new byte[Transaction.HeaderSize + Address.Size + 8];
        var w = Header(buf, TransactionType.Transfer, chainId, nonce, feePerByte, sender);
        w.WriteAddress(receiver);
        w.WriteU64(amount);
        return buf;
    }

    public static byte[] ClaimVmId(byte chainId, uint nonce, ulong feePerByte, Address sender, ulong vmId)
    {
        var buf = new byte[Transaction.HeaderSize + 8];
        var w = Header(buf, TransactionType.ClaimVmId, chainId, nonce, feePerByte, sender);
        w.WriteU64(vmId);
        return buf;
    }

    public static byte[] VmData(byte chainId, uint nonce, ulong feePerByte, Address sender, ulong vmId, ReadOnlySpan<byte> data, ulong value)
    {
        var buf = new byte[Transaction.HeaderSize + 8 + 4 + data.Length + 8];
        var w = Header(buf, TransactionType.VmData, chainId, nonce, feePerByte, sender);
        w.WriteU64(vmId);
        w.WriteU32((uint)data.Length);
        w.WriteBytes(data);
        w.WriteU64(value);
        return buf;
    }

    public static byte[] JoinAsValidator(byte chainId, uint nonce, ulong feePerByte, Address sender, ulong stake)
    {
        var buf = new byte[Transaction.HeaderSize + 8];
        var w = Header(buf, TransactionType.JoinAsValidator, chainId, nonce, feePerByte, sender);
        w.WriteU64(stake);
        return buf;
    }

    public static byte[] Delegate(byte chainId, uint nonce, ulong feePerByte, Address sender, Address validator, ulong amount)
        => StakeChange(TransactionType.Delegate, chainId, nonce, feePerByte, sender, validator, amount);

    public static byte[] Undelegate(byte chainId, uint nonce, ulong feePerByte, Address sender, Address validator, ulong amount)
        => StakeChange(TransactionType.Undelegate, chainId, nonce, feePerByte, sender, validator, amount);

    /// <summary>Evidence that one validator signed two conflicting votes; the votes are SignedVote encodings.</summary>
    public static byte[] DoubleSignEvidence(byte chainId, uint nonce, ulong feePerByte, Address sender, ReadOnlySpan<byte> voteA, ReadOnlySpan<byte> voteB)
    {
        var buf = new byte[Transaction.HeaderSize + 4 + voteA.Length + 4 + voteB.Length];
        var w = Header(buf, TransactionType.DoubleSignEvidence, chainId, nonce, feePerByte, sender);
        w.WriteU32((uint)voteA.Length);
        w.WriteBytes(voteA);
        w.WriteU32((uint)voteB.Length);
        w.WriteBytes(voteB);
        return buf;
    }

    private static byte[] StakeChange(TransactionType type, byte chainId, uint nonce, ulong feePerByte, Address sender, Address validator, ulong amount)
    {
        var buf = new byte[Transaction.HeaderSize + Address.Size + 8];
        var w = Header(buf, type, chainId, nonce, feePerByte, sender);
        w.WriteAddress(validator);
        w.WriteU64(amount);
        return buf;
    }

    /// <summary>Signs Keccak-256(unsigned) and returns the signed encoding.</summary>
    public static byte[] Sign(byte[] unsignedTx, FalconKeyPair key)
    {
        Span<byte> digest = stackalloc byte[32];
        Keccak.Hash256(unsignedTx, digest);
        return TransactionCodec.Seal(unsignedTx, key.Sign(digest));
    }

    private static BigEndianWriter Header(Span<byte> buf, TransactionType type, byte chainId, uint nonce, ulong feePerByte, Address sender)
    {
        var w = new BigEndianWriter(buf);
        w.WriteU32((uint)type);
        w.WriteU8(chainId);
        w.WriteU32(nonce);
        w.WriteU64(feePerByte);
        w.WriteAddress(sender);
        return w;
    }
}
