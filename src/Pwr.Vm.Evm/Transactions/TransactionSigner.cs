using Pwr.Core;

namespace Pwr.Vm.Evm.Transactions;

/// <summary>Signs Ethereum transactions with a secp256k1 private key (tests, benchmarks, the load generator).</summary>
public static class TransactionSigner
{
    /// <summary>The signed wire encoding of <paramref name="transaction"/>, ready for eth_sendRawTransaction.</summary>
    public static byte[] Sign(UnsignedTransaction transaction, ReadOnlySpan<byte> privateKey32)
    {
        Span<byte> hash = stackalloc byte[Hash32.Size];
        TransactionEncoder.SigningHash(transaction).WriteTo(hash);
        var signature = Secp256k1.Sign(hash, privateKey32, out int recoveryId);
        return TransactionEncoder.EncodeSigned(transaction, recoveryId, signature.AsSpan(0, 32), signature.AsSpan(32));
    }
}
