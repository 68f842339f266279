using System.Numerics;

namespace Pwr.Vm.Evm.Precompiles;

/// <summary>0x05: arbitrary-precision modular exponentiation (EIP-198) priced by EIP-2565.</summary>
internal static class ModExpPrecompile
{
    public static PrecompileResult Run(ReadOnlySpan<byte> input, long gas)
    {
        Span<byte> word = stackalloc byte[32];
        PrecompileInput.CopyPadded(input, 0, word);
        var baseLength = new BigInteger(word, isUnsigned: true, isBigEndian: true);
        PrecompileInput.CopyPadded(input, 32, word);
        var expLength = new BigInteger(word, isUnsigned: true, isBigEndian: true);
        PrecompileInput.CopyPadded(input, 64, word);
        var modLength = new BigInteger(word, isUnsigned: true, isBigEndian: true);

        // The first (at most) 32 bytes of the exponent price the call; the lengths may be absurd (up to 2^256),
        // so offsets are clamped: anything past the input reads as zero and nothing that large is ever allocated.
        var expHeadLength = (int)BigInteger.Min(expLength, 32);
        word.Clear();
        var expHead = word[(32 - expHeadLength)..];
        PrecompileInput.CopyPadded(input, ClampOffset(96 + baseLength), expHead);
        var expHeadValue = new BigInteger(word, isUnsigned: true, isBigEndian: true);

        BigInteger cost = Gas(baseLength, expLength, modLength, expHeadValue);
        if (cost > gas) return PrecompileResult.Failure(gas);
        long used = (long)cost;

        // Paid for: every length is now bounded by the gas given, except that a zero modulus length with a zero base
        // length makes even a huge exponent cheap (EIP-198) — and then the result is empty, so check that first.
        if (modLength.IsZero) return new PrecompileResult(true, used, []);
        if (baseLength > int.MaxValue || expLength > int.MaxValue || modLength > int.MaxValue)
            return PrecompileResult.Failure(gas);

        int bLen = (int)baseLength, eLen = (int)expLength, mLen = (int)modLength;
        var b = ReadNumber(input, 96, bLen);
        var e = ReadNumber(input, 96L + bLen, eLen);
        var m = ReadNumber(input, 96L + bLen + eLen, mLen);

        var output = new byte[mLen];
        if (!m.IsZero)
        {
            var result = BigInteger.ModPow(b, e, m);
            int size = result.GetByteCount(isUnsigned: true);
            result.TryWriteBytes(output.AsSpan(mLen - size), out _, isUnsigned: true, isBigEndian: true);
        }
        return new PrecompileResult(true, used, output);
    }

    /// <summary>EIP-2565: max(200, ceil(max(B, M) / 8)^2 * max(iterations, 1) / 3).</summary>
    internal static BigInteger Gas(BigInteger baseLength, BigInteger expLength, BigInteger modLength, BigInteger expHead)
    {
        var words = (BigInteger.Max(baseLength, modLength) + 7) / 8;
        var multiplicationComplexity = words * words;

        // EIP-198's adjusted exponent length: index of the highest set bit of the exponent's first 32 bytes,
        // plus 8 per byte beyond 32 (a zero head adds nothing).
        BigInteger iterations = expHead.IsZero ? 0 : (long)expHead.GetBitLength() - 1;
        if (expLength > 32) iterations += 8 * (expLength - 32);
        if (iterations < 1) iterations = 1;

        return BigInteger.Max(200, multiplicationComplexity * iterations / 3);
    }

    private static long ClampOffset(BigInteger offset) => offset > int.MaxValue ? int.MaxValue : (long)offset;

    private static BigInteger ReadNumber(ReadOnlySpan<byte> input, long offset, int length)
    {
        if (length == 0 || offset >= input.Length) return BigInteger.Zero;
        var available = input[(int)offset..];
        if (available.Length >= length) return new BigInteger(available[..length], isUnsigned: true, isBigEndian: true);
        // Right-pad with zeros: the missing low-order bytes multiply the value by 256 per byte.
        var present = new BigInteger(available, isUnsigned: true, isBigEndian: true);
        return present << (8 * (length - available.Length));
    }
}
