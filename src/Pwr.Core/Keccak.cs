using Org.BouncyCastle.Crypto.Digests;

namespace Pwr.Core;

/// <summary>Keccak-256 and Keccak-224 (original Keccak padding, as Ethereum and PWR use), via BouncyCastle.</summary>
public static class Keccak
{
    // One digest per thread: BouncyCastle digests are stateful and allocating one per hash shows in profiles.
    [ThreadStatic] private static KeccakDigest? s_k256;
    [ThreadStatic] private static KeccakDigest? s_k224;

    public static Hash32 Hash256(ReadOnlySpan<byte> data)
    {
        Span<byte> output = stackalloc byte[32];
        Hash256(data, output);
        return new Hash32(output);
    }

    public static void Hash256(ReadOnlySpan<byte> data, Span<byte> output)
    {
        var d = s_k256 ??= new KeccakDigest(256);
        d.BlockUpdate(data);
        d.DoFinal(output);
    }

    /// <summary>Keccak-256 of the concatenation of the inputs, without copying them together.</summary>
    public static Hash32 Hash256Concat(ReadOnlySpan<byte> first, ReadOnlySpan<byte> second, ReadOnlySpan<byte> third = default)
    {
        var d = s_k256 ??= new KeccakDigest(256);
        d.BlockUpdate(first);
        d.BlockUpdate(second);
        d.BlockUpdate(third);
        Span<byte> output = stackalloc byte[32];
        d.DoFinal(output);
        return new Hash32(output);
    }

    /// <summary>Keccak-256 of two hashes side by side: an inner node of a binary Merkle tree.</summary>
    public static Hash32 HashPair(in Hash32 left, in Hash32 right)
    {
        Span<byte> buffer = stackalloc byte[64];
        left.WriteTo(buffer);
        right.WriteTo(buffer[32..]);
        return Hash256(buffer);
    }

    public static void Hash224(ReadOnlySpan<byte> data, Span<byte> output)
    {
        var d = s_k224 ??= new KeccakDigest(224);
        d.BlockUpdate(data);
        d.DoFinal(output);
    }

    /// <summary>An incremental Keccak-256 for inputs written in pieces.</summary>
    public sealed class Hasher
    {
        private readonly KeccakDigest _digest = new(256);
        public void Update(ReadOnlySpan<byte> data) => _digest.BlockUpdate(data);
        public Hash32 Finish()
        {
            Span<byte> output = stackalloc byte[32];
            _digest.DoFinal(output);
            return new Hash32(output);
        }

        /// <summary>Writes the 32-byte hash and starts over.</summary>
        public void Finish(Span<byte> output) => _digest.DoFinal(output);
    }
}
