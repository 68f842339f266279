using System.Diagnostics.CodeAnalysis;
using System.Numerics;
using Pwr.Core;
using Pwr.Vm.Evm.Rlp;
using RlpCodec = Pwr.Vm.Evm.Rlp.Rlp;

namespace Pwr.Vm.Evm.Transactions;

/// <summary>
/// Decodes and validates signed Ethereum transactions under Cancun rules: legacy (with or without EIP-155), EIP-2930 and
/// EIP-1559 envelopes; checks chain id, signature values (EIP-2 low s), intrinsic gas and initcode size; recovers the sender.
/// </summary>
public static class TransactionDecoder
{
    private static readonly BigInteger MaxUInt256 = (BigInteger.One << 256) - 1;

    // secp256k1 group order n and n/2, big-endian, for the r/s range checks.
    private static ReadOnlySpan<byte> Order =>
    [
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe,
        0xba, 0xae, 0xdc, 0xe6, 0xaf, 0x48, 0xa0, 0x3b, 0xbf, 0xd2, 0x5e, 0x8c, 0xd0, 0x36, 0x41, 0x41,
    ];

    private static ReadOnlySpan<byte> HalfOrder =>
    [
        0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
        0x5d, 0x57, 0x6e, 0x73, 0x57, 0xa4, 0x50, 0x1d, 0xdf, 0xe9, 0x2f, 0x46, 0x68, 0x1b, 0x20, 0xa0,
    ];

    /// <summary>Decodes <paramref name="encoded"/> (the raw bytes of eth_sendRawTransaction) for chain <paramref name="chainId"/>.</summary>
    public static bool TryDecode(ReadOnlySpan<byte> encoded, ulong chainId, [NotNullWhen(true)] out SignedTransaction? transaction, out TransactionFailure failure)
    {
        transaction = null;
        if (encoded.IsEmpty) return Fail(new(TransactionError.Rlp, RlpError.EndOfInput, "transaction"), out failure);
        byte first = encoded[0];
        if (first >= 0xc0) return TryDecodeLegacy(encoded, chainId, out transaction, out failure);
        // A string where the legacy list should be.
        if (first >= 0x80) return Fail(new(TransactionError.Rlp, RlpError.ExpectedList, "transaction"), out failure);
        if (first != (byte)EthereumTransactionType.AccessList && first != (byte)EthereumTransactionType.DynamicFee)
            return Fail(new(TransactionError.TypeNotSupported), out failure);
        return TryDecodeTyped(encoded, (EthereumTransactionType)first, chainId, out transaction, out failure);
    }

    private static bool TryDecodeLegacy(ReadOnlySpan<byte> encoded, ulong expectedChainId, out SignedTransaction? transaction, out TransactionFailure failure)
    {
        transaction = null;
        var outer = new RlpReader(encoded);
        if (!outer.TryReadList(out var fields)) return RlpFail(outer, "transaction", out failure);
        if (!outer.TryReadEnd()) return RlpFail(outer, "transaction", out failure);

        int unsignedStart = fields.Offset;
        if (!ReadNonce(ref fields, out ulong nonce, out failure)
            || !ReadUInt256(ref fields, "gasPrice", out var gasPrice, out failure)
            || !ReadGas(ref fields, out ulong gas, out failure)
            || !ReadTo(ref fields, out var to, out failure)
            || !ReadUInt256(ref fields, "value", out var value, out failure)
            || !ReadData(ref fields, out var data, out failure))
            return false;
        int unsignedEnd = fields.Offset;

        if (!fields.TryReadInteger(32, out var vBytes)) return IntegerFail(fields, "v", TransactionError.InvalidChainId, out failure);
        Span<byte> signature = stackalloc byte[64];
        if (!ReadSignature(ref fields, signature, out failure)) return false;

        var v = new BigInteger(vBytes, isUnsigned: true, isBigEndian: true);
        ulong? chainId;
        int parity;
        if (v == 27 || v == 28)
        {
            chainId = null;
            parity = (int)(v - 27);
        }
        else if (v >= 35)
        {
            // EIP-155: v = chainId * 2 + 35 + parity.
            var derived = (v - 35) >> 1;
            if (derived != expectedChainId) return Fail(new(TransactionError.InvalidChainId), out failure);
            chainId = expectedChainId;
            parity = (int)((v - 35) & 1);
        }
        else
        {
            return Fail(new(TransactionError.InvalidChainId), out failure);
        }

        var unsigned = new UnsignedTransaction
        {
            Type = EthereumTransactionType.Legacy, ChainId = chainId, Nonce = nonce, GasPrice = gasPrice, GasLimit = gas,
            To = to, Value = value, Data = data,
        };
        if (!CheckSignatureValues(signature)) return Fail(new(TransactionError.InvalidSignatureValues), out failure);
        if (!CheckStatic(unsigned, out failure)) return false;

        var unsignedFields = encoded[unsignedStart..unsignedEnd];
        Hash32 signingHash;
        if (chainId is ulong id)
        {
            Span<byte> suffix = stackalloc byte[11];
            var suffixWriter = new RlpWriter(suffix);
            suffixWriter.WriteUInt64(id);
            suffixWriter.WriteUInt64(0);
            suffixWriter.WriteUInt64(0);
            Span<byte> header = stackalloc byte[9];
            int headerLength = WriteListHeader(header, unsignedFields.Length + suffixWriter.Position);
            signingHash = Keccak.Hash256Concat(header[..headerLength], unsignedFields, suffix[..suffixWriter.Position]);
        }
        else
        {
            Span<byte> header = stackalloc byte[9];
            int headerLength = WriteListHeader(header, unsignedFields.Length);
            signingHash = Keccak.Hash256Concat(header[..headerLength], unsignedFields);
        }
        return Finish(unsigned, encoded, signingHash, signature, parity, v, out transaction, out failure);
    }

    private static bool TryDecodeTyped(ReadOnlySpan<byte> encoded, EthereumTransactionType type, ulong expectedChainId, out SignedTransaction? transaction, out TransactionFailure failure)
    {
        transaction = null;
        var body = encoded[1..];
        var outer = new RlpReader(body);
        if (!outer.TryReadList(out var fields)) return RlpFail(outer, "transaction", out failure);
        if (!outer.TryReadEnd()) return RlpFail(outer, "transaction", out failure);

        int unsignedStart = fields.Offset;
        if (!fields.TryReadInteger(32, out var chainBytes)) return IntegerFail(fields, "chainId", TransactionError.InvalidChainId, out failure);
        if (chainBytes.Length > 8 || ToUInt64(chainBytes) != expectedChainId) return Fail(new(TransactionError.InvalidChainId), out failure);

        BigInteger gasPrice = default, tip = default, feeCap = default;
        if (!ReadNonce(ref fields, out ulong nonce, out failure)) return false;
        if (type == EthereumTransactionType.DynamicFee)
        {
            if (!ReadUInt256(ref fields, "maxPriorityFeePerGas", out tip, out failure)
                || !ReadUInt256(ref fields, "maxFeePerGas", out feeCap, out failure))
                return false;
        }
        else if (!ReadUInt256(ref fields, "gasPrice", out gasPrice, out failure))
        {
            return false;
        }
        if (!ReadGas(ref fields, out ulong gas, out failure)
            || !ReadTo(ref fields, out var to, out failure)
            || !ReadUInt256(ref fields, "value", out var value, out failure)
            || !ReadData(ref fields, out var data, out failure)
            || !ReadAccessList(ref fields, out var accessList, out failure))
            return false;
        int unsignedEnd = fields.Offset;

        if (!fields.TryReadInteger(1, out var parityBytes)) return IntegerFail(fields, "yParity", TransactionError.InvalidSignatureValues, out failure);
        int parity = parityBytes.IsEmpty ? 0 : parityBytes[0];
        Span<byte> signature = stackalloc byte[64];
        if (!ReadSignature(ref fields, signature, out failure)) return false;

        var unsigned = new UnsignedTransaction
        {
            Type = type, ChainId = expectedChainId, Nonce = nonce, GasPrice = gasPrice, MaxPriorityFeePerGas = tip,
            MaxFeePerGas = feeCap, GasLimit = gas, To = to, Value = value, Data = data, AccessList = accessList,
        };
        if (parity > 1 || !CheckSignatureValues(signature)) return Fail(new(TransactionError.InvalidSignatureValues), out failure);
        if (!CheckStatic(unsigned, out failure)) return false;

        // The signed payload is type ‖ rlp([fields without the signature]): the decoded bytes, re-headed, not re-encoded.
        var unsignedFields = body[unsignedStart..unsignedEnd];
        Span<byte> prefix = stackalloc byte[10];
        prefix[0] = (byte)type;
        int headerLength = WriteListHeader(prefix[1..], unsignedFields.Length);
        var signingHash = Keccak.Hash256Concat(prefix[..(1 + headerLength)], unsignedFields);
        return Finish(unsigned, encoded, signingHash, signature, parity, parity, out transaction, out failure);
    }

    private static bool Finish(UnsignedTransaction unsigned, ReadOnlySpan<byte> encoded, Hash32 signingHash, ReadOnlySpan<byte> signature,
        int parity, BigInteger v, out SignedTransaction? transaction, out TransactionFailure failure)
    {
        transaction = null;
        var txHash = Keccak.Hash256(encoded);
        if (!RecoveredSenders.TryGet(txHash, out var sender))
        {
            Span<byte> hash = stackalloc byte[32];
            signingHash.WriteTo(hash);
            Span<byte> publicKey = stackalloc byte[64];
            if (!Secp256k1.TryRecover(hash, signature, parity, publicKey)) return Fail(new(TransactionError.InvalidSender), out failure);
            sender = Secp256k1.EthereumAddress(publicKey);
            RecoveredSenders.Add(txHash, sender);
        }

        transaction = new SignedTransaction
        {
            Type = unsigned.Type, ChainId = unsigned.ChainId, Nonce = unsigned.Nonce, GasPrice = unsigned.GasPrice,
            MaxPriorityFeePerGas = unsigned.MaxPriorityFeePerGas, MaxFeePerGas = unsigned.MaxFeePerGas, GasLimit = unsigned.GasLimit,
            To = unsigned.To, Value = unsigned.Value, Data = unsigned.Data, AccessList = unsigned.AccessList,
            V = v, YParity = parity,
            R = new BigInteger(signature[..32], isUnsigned: true, isBigEndian: true),
            S = new BigInteger(signature[32..], isUnsigned: true, isBigEndian: true),
            SigningHash = signingHash, Hash = txHash, Sender = sender,
            Encoded = encoded.ToArray(),
        };
        failure = default;
        return true;
    }

    /// <summary>Checks that need no state: fee cap versus tip, fee product width, EIP-3860 initcode size, intrinsic gas.</summary>
    private static bool CheckStatic(UnsignedTransaction tx, out TransactionFailure failure)
    {
        failure = default;
        if (tx.Type == EthereumTransactionType.DynamicFee && tx.MaxPriorityFeePerGas > tx.MaxFeePerGas)
            return Fail(new(TransactionError.TipAboveFeeCap), out failure);
        if (tx.MaxPricePerGas * tx.GasLimit > MaxUInt256) return Fail(new(TransactionError.FeeProductOverflow), out failure);
        if (tx.IsContractCreation && tx.Data.Length > IntrinsicGas.MaxInitCodeSize) return Fail(new(TransactionError.InitCodeTooLarge), out failure);
        if (tx.GasLimit < IntrinsicGas.Compute(tx)) return Fail(new(TransactionError.IntrinsicGasTooLow), out failure);
        return true;
    }

    /// <summary>r and s in [1, n-1] and s at most n/2 (EIP-2, in force since Homestead).</summary>
    private static bool CheckSignatureValues(ReadOnlySpan<byte> signature)
    {
        var r = signature[..32];
        var s = signature[32..];
        if (r.IndexOfAnyExcept((byte)0) < 0 || s.IndexOfAnyExcept((byte)0) < 0) return false;
        return r.SequenceCompareTo(Order) < 0 && s.SequenceCompareTo(HalfOrder) <= 0;
    }

    private static bool ReadSignature(ref RlpReader fields, scoped Span<byte> signature64, out TransactionFailure failure)
    {
        failure = default;
        signature64.Clear();
        if (!fields.TryReadInteger(32, out var r)) return IntegerFail(fields, "r", TransactionError.InvalidSignatureValues, out failure);
        r.CopyTo(signature64[(32 - r.Length)..32]);
        if (!fields.TryReadInteger(32, out var s)) return IntegerFail(fields, "s", TransactionError.InvalidSignatureValues, out failure);
        s.CopyTo(signature64[(64 - s.Length)..]);
        if (!fields.TryReadEnd()) return RlpFail(fields, "transaction", out failure);
        return true;
    }

    private static bool ReadNonce(ref RlpReader fields, out ulong nonce, out TransactionFailure failure)
    {
        failure = default;
        if (fields.TryReadUInt64(out nonce)) return true;
        return IntegerFail(fields, "nonce", TransactionError.NonceOverflow, out failure);
    }

    private static bool ReadGas(ref RlpReader fields, out ulong gas, out TransactionFailure failure)
    {
        failure = default;
        if (fields.TryReadUInt64(out gas)) return true;
        return IntegerFail(fields, "gas", TransactionError.GasLimitOverflow, out failure);
    }

    private static bool ReadUInt256(ref RlpReader fields, string field, out BigInteger value, out TransactionFailure failure)
    {
        failure = default;
        value = default;
        if (!fields.TryReadInteger(32, out var bytes)) return IntegerFail(fields, field, TransactionError.ValueOverflow, out failure);
        value = new BigInteger(bytes, isUnsigned: true, isBigEndian: true);
        return true;
    }

    private static bool ReadTo(ref RlpReader fields, out Address? to, out TransactionFailure failure)
    {
        failure = default;
        to = null;
        if (!fields.TryReadBytes(out var bytes)) return RlpFail(fields, "to", out failure);
        if (bytes.IsEmpty) return true;
        if (bytes.Length != Address.Size) return Fail(new(TransactionError.AddressWrongSize, Field: "to"), out failure);
        to = new Address(bytes);
        return true;
    }

    private static bool ReadData(ref RlpReader fields, out byte[] data, out TransactionFailure failure)
    {
        failure = default;
        data = [];
        if (!fields.TryReadBytes(out var bytes)) return RlpFail(fields, "data", out failure);
        data = bytes.ToArray();
        return true;
    }

    private static bool ReadAccessList(ref RlpReader fields, out IReadOnlyList<AccessListItem> accessList, out TransactionFailure failure)
    {
        failure = default;
        accessList = [];
        if (!fields.TryReadList(out var list)) return RlpFail(fields, "accessList", out failure);
        var items = new List<AccessListItem>();
        while (list.HasMore)
        {
            if (!list.TryReadList(out var item)) return RlpFail(list, "accessList", out failure);
            if (!item.TryReadBytes(out var address)) return RlpFail(item, "accessList", out failure);
            if (address.Length != Address.Size) return Fail(new(TransactionError.AddressWrongSize, Field: "accessList"), out failure);
            if (!item.TryReadList(out var keyList)) return RlpFail(item, "accessList", out failure);
            var keys = new List<Hash32>();
            while (keyList.HasMore)
            {
                if (!keyList.TryReadBytes(out var key)) return RlpFail(keyList, "accessList", out failure);
                if (key.Length != Hash32.Size) return Fail(new(TransactionError.StorageKeyWrongSize), out failure);
                keys.Add(new Hash32(key));
            }
            if (!item.TryReadEnd()) return RlpFail(item, "accessList", out failure);
            items.Add(new AccessListItem(new Address(address), keys));
        }
        accessList = items;
        return true;
    }

    private static int WriteListHeader(Span<byte> destination, int payloadLength)
    {
        var writer = new RlpWriter(destination);
        writer.WriteListHeader(payloadLength);
        return writer.Position;
    }

    private static ulong ToUInt64(ReadOnlySpan<byte> bigEndian)
    {
        ulong value = 0;
        foreach (byte b in bigEndian) value = (value << 8) | b;
        return value;
    }

    private static bool IntegerFail(in RlpReader reader, string field, TransactionError overflow, out TransactionFailure failure)
        => reader.Error == RlpError.IntegerOverflow ? Fail(new(overflow, RlpError.IntegerOverflow, field), out failure) : RlpFail(reader, field, out failure);

    private static bool RlpFail(in RlpReader reader, string field, out TransactionFailure failure)
        => Fail(new(TransactionError.Rlp, reader.Error, field), out failure);

    private static bool Fail(TransactionFailure reason, out TransactionFailure failure)
    {
        failure = reason;
        return false;
    }
}
