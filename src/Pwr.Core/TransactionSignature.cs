namespace Pwr.Core;

/// <summary>Checks a transaction's Falcon-512 signature over Keccak-256 of its unsigned bytes.</summary>
public static class TransactionSignature
{
    public static bool Verify(Transaction tx, ReadOnlySpan<byte> publicKey)
        => FalconVerifier.TryCreate(publicKey) is { } verifier && Verify(tx, verifier);

    /// <summary>The same check with a key prepared earlier (see <see cref="FalconVerifier"/>).</summary>
    public static bool Verify(Transaction tx, FalconVerifier verifier)
    {
        Span<byte> digest = stackalloc byte[32];
        Keccak.Hash256(tx.Unsigned, digest);
        return verifier.Verify(digest, tx.Signature.Span);
    }
}
