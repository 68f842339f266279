using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.CompilerServices;

namespace Pwr.Vm.Evm.Precompiles;

/// <summary>0x09: the BLAKE2b compression function F with a caller-chosen round count (EIP-152); 1 gas per round.</summary>
internal static class Blake2fPrecompile
{
    public const int InputLength = 213;

    private static ReadOnlySpan<ulong> IV =>
    [
        0x6A09E667F3BCC908UL, 0xBB67AE8584CAA73BUL, 0x3C6EF372FE94F82BUL, 0xA54FF53A5F1D36F1UL,
        0x510E527FADE682D1UL, 0x9B05688C2B3E6C1FUL, 0x1F83D9ABFB41BD6BUL, 0x5BE0CD19137E2179UL,
    ];

    // RFC 7693 §2.7 message schedule; it has period 10, so round i uses row i % 10 (for any round count).
    private static ReadOnlySpan<byte> Sigma =>
    [
        0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15,
        14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3,
        11, 8, 12, 0, 5, 2, 15, 13, 10, 14, 3, 6, 7, 1, 9, 4,
        7, 9, 3, 1, 13, 12, 11, 14, 2, 6, 5, 10, 4, 0, 15, 8,
        9, 0, 5, 7, 2, 4, 10, 15, 14, 1, 11, 12, 6, 8, 3, 13,
        2, 12, 6, 10, 0, 11, 8, 3, 4, 13, 7, 5, 15, 14, 1, 9,
        12, 5, 1, 15, 14, 13, 4, 10, 0, 7, 6, 3, 9, 2, 8, 11,
        13, 11, 7, 14, 12, 1, 3, 9, 5, 0, 15, 4, 8, 6, 2, 10,
        6, 15, 14, 9, 11, 3, 0, 8, 12, 2, 13, 7, 1, 4, 10, 5,
        10, 2, 8, 4, 7, 6, 1, 5, 15, 11, 9, 14, 3, 12, 13, 0,
    ];

    public static PrecompileResult Run(ReadOnlySpan<byte> input, long gas)
    {
        // EIP-152: the input is exactly 213 bytes (no zero padding) and the final flag is 0 or 1; anything else fails.
        if (input.Length != InputLength) return PrecompileResult.Failure(gas);
        uint rounds = BinaryPrimitives.ReadUInt32BigEndian(input);
        if (rounds > gas) return PrecompileResult.Failure(gas);
        byte final = input[212];
        if (final > 1) return PrecompileResult.Failure(gas);

        Span<ulong> h = stackalloc ulong[8];
        Span<ulong> m = stackalloc ulong[16];
        for (int i = 0; i < 8; i++) h[i] = BinaryPrimitives.ReadUInt64LittleEndian(input[(4 + 8 * i)..]);
        for (int i = 0; i < 16; i++) m[i] = BinaryPrimitives.ReadUInt64LittleEndian(input[(68 + 8 * i)..]);
        ulong t0 = BinaryPrimitives.ReadUInt64LittleEndian(input[196..]);
        ulong t1 = BinaryPrimitives.ReadUInt64LittleEndian(input[204..]);

        Compress(rounds, h, m, t0, t1, final == 1);

        var output = new byte[64];
        for (int i = 0; i < 8; i++) BinaryPrimitives.WriteUInt64LittleEndian(output.AsSpan(8 * i), h[i]);
        return new PrecompileResult(true, rounds, output);
    }

    /// <summary>RFC 7693 §3.2 F(h, m, t, f) with <paramref name="rounds"/> rounds, updating <paramref name="h"/> in place.</summary>
    public static void Compress(uint rounds, Span<ulong> h, ReadOnlySpan<ulong> m, ulong t0, ulong t1, bool final)
    {
        // The working vector lives in locals, not a span: rounds are priced at 1 gas each, so a round must be cheap
        // (with v[] in memory and bounds-checked it cost several times more).
        ulong v0 = h[0], v1 = h[1], v2 = h[2], v3 = h[3], v4 = h[4], v5 = h[5], v6 = h[6], v7 = h[7];
        ulong v8 = IV[0], v9 = IV[1], v10 = IV[2], v11 = IV[3];
        ulong v12 = IV[4] ^ t0, v13 = IV[5] ^ t1, v14 = final ? ~IV[6] : IV[6], v15 = IV[7];

        var sigma = Sigma;
        int row = 0;
        for (uint r = 0; r < rounds; r++)
        {
            var s = sigma.Slice(row * 16, 16);
            G(ref v0, ref v4, ref v8, ref v12, m[s[0]], m[s[1]]);
            G(ref v1, ref v5, ref v9, ref v13, m[s[2]], m[s[3]]);
            G(ref v2, ref v6, ref v10, ref v14, m[s[4]], m[s[5]]);
            G(ref v3, ref v7, ref v11, ref v15, m[s[6]], m[s[7]]);
            G(ref v0, ref v5, ref v10, ref v15, m[s[8]], m[s[9]]);
            G(ref v1, ref v6, ref v11, ref v12, m[s[10]], m[s[11]]);
            G(ref v2, ref v7, ref v8, ref v13, m[s[12]], m[s[13]]);
            G(ref v3, ref v4, ref v9, ref v14, m[s[14]], m[s[15]]);
            if (++row == 10) row = 0;
        }

        h[0] ^= v0 ^ v8; h[1] ^= v1 ^ v9; h[2] ^= v2 ^ v10; h[3] ^= v3 ^ v11;
        h[4] ^= v4 ^ v12; h[5] ^= v5 ^ v13; h[6] ^= v6 ^ v14; h[7] ^= v7 ^ v15;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void G(ref ulong a, ref ulong b, ref ulong c, ref ulong d, ulong x, ulong y)
    {
        a = a + b + x;
        d = BitOperations.RotateRight(d ^ a, 32);
        c += d;
        b = BitOperations.RotateRight(b ^ c, 24);
        a = a + b + y;
        d = BitOperations.RotateRight(d ^ a, 16);
        c += d;
        b = BitOperations.RotateRight(b ^ c, 63);
    }
}
