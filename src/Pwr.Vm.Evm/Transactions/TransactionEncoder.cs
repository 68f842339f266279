using System.Numerics;
using Pwr.Core;
using Pwr.Vm.Evm.Rlp;
using RlpCodec = Pwr.Vm.Evm.Rlp.Rlp;

namespace Pwr.Vm.Evm.Transactions;

/// <summary>Encodes Ethereum transactions: the payload a sender signs and the signed wire form (EIP-2718 envelope for typed ones).</summary>
public static class TransactionEncoder
{
    /// <summary>Keccak-256 of the signing payload (EIP-155 for legacy transactions with a chain id).</summary>
    public static Hash32 SigningHash(UnsignedTransaction transaction) => Keccak.Hash256(EncodeForSigning(transaction));

    /// <summary>The payload a sender signs: rlp(fields[, chainId, 0, 0]) for legacy, type ‖ rlp(fields) for typed.</summary>
    public static byte[] EncodeForSigning(UnsignedTransaction transaction) => Encode(transaction, signature: null);

    /// <summary>The signed transaction as sent on the wire; <paramref name="yParity"/> is the recovery id (0 or 1).</summary>
    public static byte[] EncodeSigned(UnsignedTransaction transaction, int yParity, ReadOnlySpan<byte> r32, ReadOnlySpan<byte> s32)
    {
        if ((uint)yParity > 1) throw new ArgumentOutOfRangeException(nameof(yParity), "y parity must be 0 or 1");
        BigInteger v = transaction.Type != EthereumTransactionType.Legacy ? yParity
            : transaction.ChainId is ulong chainId ? new BigInteger(chainId) * 2 + 35 + yParity
            : 27 + yParity;
        return Encode(transaction, (v, new BigInteger(r32, isUnsigned: true, isBigEndian: true), new BigInteger(s32, isUnsigned: true, isBigEndian: true)));
    }

    private static byte[] Encode(UnsignedTransaction tx, (BigInteger V, BigInteger R, BigInteger S)? signature)
    {
        bool typed = tx.Type != EthereumTransactionType.Legacy;
        if (typed && tx.ChainId is null) throw new ArgumentException("a typed transaction needs a chain id", nameof(tx));
        if (tx.Type is not (EthereumTransactionType.Legacy or EthereumTransactionType.AccessList or EthereumTransactionType.DynamicFee))
            throw new ArgumentException($"transaction type {tx.Type} is not supported", nameof(tx));

        int payload = FieldsLength(tx);
        if (signature is var (v, r, s)) payload += IntegerLength(v) + IntegerLength(r) + IntegerLength(s);
        else if (!typed && tx.ChainId is ulong chainId) payload += RlpCodec.UInt64Length(chainId) + 2;

        var result = new byte[(typed ? 1 : 0) + RlpCodec.ListLength(payload)];
        var writer = new RlpWriter(result);
        if (typed) writer.WriteEncoded([(byte)tx.Type]);
        writer.WriteListHeader(payload);
        WriteFields(ref writer, tx);
        if (signature is var (v2, r2, s2))
        {
            WriteInteger(ref writer, v2);
            WriteInteger(ref writer, r2);
            WriteInteger(ref writer, s2);
        }
        else if (!typed && tx.ChainId is ulong chainId)
        {
            writer.WriteUInt64(chainId);
            writer.WriteUInt64(0);
            writer.WriteUInt64(0);
        }
        return result;
    }

    private static int FieldsLength(UnsignedTransaction tx)
    {
        int length = RlpCodec.UInt64Length(tx.Nonce) + RlpCodec.UInt64Length(tx.GasLimit) + (tx.To is null ? 1 : 21)
            + IntegerLength(tx.Value) + RlpCodec.BytesLength(tx.Data);
        switch (tx.Type)
        {
            case EthereumTransactionType.Legacy:
                return length + IntegerLength(tx.GasPrice);
            case EthereumTransactionType.AccessList:
                return length + RlpCodec.UInt64Length(tx.ChainId!.Value) + IntegerLength(tx.GasPrice) + RlpCodec.ListLength(AccessListPayload(tx.AccessList));
            default:
                return length + RlpCodec.UInt64Length(tx.ChainId!.Value) + IntegerLength(tx.MaxPriorityFeePerGas) + IntegerLength(tx.MaxFeePerGas)
                    + RlpCodec.ListLength(AccessListPayload(tx.AccessList));
        }
    }

    private static void WriteFields(ref RlpWriter writer, UnsignedTransaction tx)
    {
        if (tx.Type != EthereumTransactionType.Legacy) writer.WriteUInt64(tx.ChainId!.Value);
        writer.WriteUInt64(tx.Nonce);
        if (tx.Type == EthereumTransactionType.DynamicFee)
        {
            WriteInteger(ref writer, tx.MaxPriorityFeePerGas);
            WriteInteger(ref writer, tx.MaxFeePerGas);
        }
        else
        {
            WriteInteger(ref writer, tx.GasPrice);
        }
        writer.WriteUInt64(tx.GasLimit);
        if (tx.To is Address to)
        {
            Span<byte> address = stackalloc byte[Address.Size];
            to.WriteTo(address);
            writer.WriteBytes(address);
        }
        else
        {
            writer.WriteBytes([]);
        }
        WriteInteger(ref writer, tx.Value);
        writer.WriteBytes(tx.Data);
        if (tx.Type == EthereumTransactionType.Legacy) return;

        writer.WriteListHeader(AccessListPayload(tx.AccessList));
        Span<byte> buffer = stackalloc byte[Hash32.Size];
        foreach (var item in tx.AccessList)
        {
            writer.WriteListHeader(21 + RlpCodec.ListLength(33 * item.StorageKeys.Count));
            item.Address.WriteTo(buffer);
            writer.WriteBytes(buffer[..Address.Size]);
            writer.WriteListHeader(33 * item.StorageKeys.Count);
            foreach (var key in item.StorageKeys)
            {
                key.WriteTo(buffer);
                writer.WriteBytes(buffer);
            }
        }
    }

    private static int AccessListPayload(IReadOnlyList<AccessListItem> accessList)
    {
        int payload = 0;
        // Each item is [address (21 bytes encoded), [keys (33 bytes each encoded)]].
        foreach (var item in accessList) payload += RlpCodec.ListLength(21 + RlpCodec.ListLength(33 * item.StorageKeys.Count));
        return payload;
    }

    private static int IntegerLength(BigInteger value)
    {
        Span<byte> bytes = stackalloc byte[32];
        return RlpCodec.IntegerLength(bytes[..ToBigEndian(value, bytes)]);
    }

    private static void WriteInteger(ref RlpWriter writer, BigInteger value)
    {
        Span<byte> bytes = stackalloc byte[32];
        writer.WriteInteger(bytes[..ToBigEndian(value, bytes)]);
    }

    private static int ToBigEndian(BigInteger value, Span<byte> destination32)
    {
        if (value.Sign < 0 || !value.TryWriteBytes(destination32, out int written, isUnsigned: true, isBigEndian: true))
            throw new ArgumentOutOfRangeException(nameof(value), "transaction integers are unsigned and at most 256 bits");
        return written;
    }
}
