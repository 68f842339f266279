namespace Pwr.Core;

/// <summary>Checks a transaction's Falcon-512 signature over Keccak-256 of its unsigned bytes.</summary>
public static class TransactionSignature
{
    public static bool Verify(Transaction tx, ReadOnlySpan<byte> publicKey)
    {
        Span<byte> digest = stackalloc byte[32];
        Keccak.Hash256(tx.Unsigned, digest);
        return Falcon512.Verify(publicKey, digest, tx.Signature.Span);
    }
}
