using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.X86;

namespace Pwr.Vm.Evm.Precompiles.Bn254;

/// <summary>An element of the bn254 base field, in Montgomery form (a·2^256 mod p) over four little-endian 64-bit limbs.</summary>
internal readonly struct Fp : IField<Fp>
{
    // p = 21888242871839275222246405745257275088696311157297823662689037894645226208583 = 36x^4 + 36x^3 + 24x^2 + 6x + 1,
    // x = 4965661367192848881. The tests rederive every constant here from that definition.
    internal const ulong P0 = 0x3c208c16d87cfd47, P1 = 0x97816a916871ca8d, P2 = 0xb85045b68181585d, P3 = 0x30644e72e131a029;
    // -p^-1 mod 2^64, for Montgomery reduction.
    internal const ulong Inv = 0x87d20782e4866389;
    // 2^256 mod p (one in Montgomery form) and 2^512 mod p (converts into Montgomery form).
    private const ulong R0 = 0xd35d438dc58f0d9d, R1 = 0x0a78eb28f5c70b3d, R2_ = 0x666ea36f7879462c, R3 = 0x0e0a77c19a07df2f;
    private const ulong RR0 = 0xf32cfc5b538afa89, RR1 = 0xb5e71911d44501fb, RR2 = 0x47ab1eff0a417ff6, RR3 = 0x06d89f71cab8351f;

    public static readonly BigInteger Modulus = BigInteger.Parse("21888242871839275222246405745257275088696311157297823662689037894645226208583");

    internal readonly ulong L0, L1, L2, L3;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal Fp(ulong l0, ulong l1, ulong l2, ulong l3)
    {
        L0 = l0; L1 = l1; L2 = l2; L3 = l3;
    }

    public static Fp Zero => default;
    public static Fp One => new(R0, R1, R2_, R3);
    public bool IsZero => (L0 | L1 | L2 | L3) == 0;

    public static bool Eq(in Fp a, in Fp b) => a.L0 == b.L0 && a.L1 == b.L1 && a.L2 == b.L2 && a.L3 == b.L3;

    /// <summary>Reads a 32-byte big-endian integer; false when it is not below p (Ethereum rejects such coordinates).</summary>
    public static bool TryRead(ReadOnlySpan<byte> be32, out Fp value)
    {
        ulong l3 = BinaryPrimitives.ReadUInt64BigEndian(be32);
        ulong l2 = BinaryPrimitives.ReadUInt64BigEndian(be32[8..]);
        ulong l1 = BinaryPrimitives.ReadUInt64BigEndian(be32[16..]);
        ulong l0 = BinaryPrimitives.ReadUInt64BigEndian(be32[24..]);
        value = default;
        if (!LessThanP(l0, l1, l2, l3)) return false;
        value = Mul(new Fp(l0, l1, l2, l3), new Fp(RR0, RR1, RR2, RR3));
        return true;
    }

    /// <summary>Writes the canonical 32-byte big-endian form.</summary>
    public void Write(Span<byte> be32)
    {
        var n = Mul(this, new Fp(1, 0, 0, 0));
        BinaryPrimitives.WriteUInt64BigEndian(be32, n.L3);
        BinaryPrimitives.WriteUInt64BigEndian(be32[8..], n.L2);
        BinaryPrimitives.WriteUInt64BigEndian(be32[16..], n.L1);
        BinaryPrimitives.WriteUInt64BigEndian(be32[24..], n.L0);
    }

    public static Fp FromBigInteger(BigInteger v)
    {
        v %= Modulus;
        if (v.Sign < 0) v += Modulus;
        Span<byte> buffer = stackalloc byte[32];
        buffer.Clear();
        v.TryWriteBytes(buffer[(32 - v.GetByteCount(isUnsigned: true))..], out _, isUnsigned: true, isBigEndian: true);
        TryRead(buffer, out var result);
        return result;
    }

    public BigInteger ToBigInteger()
    {
        Span<byte> buffer = stackalloc byte[32];
        Write(buffer);
        return new BigInteger(buffer, isUnsigned: true, isBigEndian: true);
    }

    public override string ToString() => ToBigInteger().ToString();

    private static bool LessThanP(ulong l0, ulong l1, ulong l2, ulong l3)
    {
        if (l3 != P3) return l3 < P3;
        if (l2 != P2) return l2 < P2;
        if (l1 != P1) return l1 < P1;
        return l0 < P0;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Fp Add(in Fp a, in Fp b)
    {
        // a, b < p < 2^254, so the sum cannot overflow 256 bits.
        ulong c = 0;
        ulong s0 = AddC(a.L0, b.L0, ref c);
        ulong s1 = AddC(a.L1, b.L1, ref c);
        ulong s2 = AddC(a.L2, b.L2, ref c);
        ulong s3 = a.L3 + b.L3 + c;
        return ReduceOnce(s0, s1, s2, s3);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Fp Sub(in Fp a, in Fp b)
    {
        ulong borrow = 0;
        ulong d0 = SubB(a.L0, b.L0, ref borrow);
        ulong d1 = SubB(a.L1, b.L1, ref borrow);
        ulong d2 = SubB(a.L2, b.L2, ref borrow);
        ulong d3 = SubB(a.L3, b.L3, ref borrow);
        if (borrow != 0)
        {
            ulong c = 0;
            d0 = AddC(d0, P0, ref c);
            d1 = AddC(d1, P1, ref c);
            d2 = AddC(d2, P2, ref c);
            d3 = d3 + P3 + c;
        }
        return new Fp(d0, d1, d2, d3);
    }

    public static Fp Neg(in Fp a) => a.IsZero ? a : Sub(default, a);

    public static Fp Double(in Fp a) => Add(a, a);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Fp Square(in Fp a) => Mul(a, a);

    /// <summary>Montgomery product a·b·2^-256 mod p (CIOS: operand scanning interleaved with reduction).</summary>
    public static Fp Mul(in Fp a, in Fp b)
    {
        // Straight-line code over locals and UInt128 values: helpers with ref/out carries (and Math.BigMul's out low
        // half) make the JIT keep limbs in memory; measured 25% slower than this. p < 2^254 leaves the top limb room, so each round's carry
        // fits the fifth word without a sixth (the "no-carry" variant of CIOS).
        ulong b0 = b.L0, b1 = b.L1, b2 = b.L2, b3 = b.L3;
        ulong t0, t1, t2, t3, t4, m;
        UInt128 r;

        // Round 0: t = a0·b, then t = (t + m·p) / 2^64.
        ulong ai = a.L0;
        r = Mul64(ai, b0); t0 = (ulong)r;
        r = Mul64(ai, b1) + (ulong)(r >> 64); t1 = (ulong)r;
        r = Mul64(ai, b2) + (ulong)(r >> 64); t2 = (ulong)r;
        r = Mul64(ai, b3) + (ulong)(r >> 64); t3 = (ulong)r; t4 = (ulong)(r >> 64);
        m = t0 * Inv;
        r = Mul64(m, P0) + t0;
        r = Mul64(m, P1) + t1 + (ulong)(r >> 64); t0 = (ulong)r;
        r = Mul64(m, P2) + t2 + (ulong)(r >> 64); t1 = (ulong)r;
        r = Mul64(m, P3) + t3 + (ulong)(r >> 64); t2 = (ulong)r; t3 = t4 + (ulong)(r >> 64);

        ai = a.L1;
        r = Mul64(ai, b0) + t0; t0 = (ulong)r;
        r = Mul64(ai, b1) + t1 + (ulong)(r >> 64); t1 = (ulong)r;
        r = Mul64(ai, b2) + t2 + (ulong)(r >> 64); t2 = (ulong)r;
        r = Mul64(ai, b3) + t3 + (ulong)(r >> 64); t3 = (ulong)r; t4 = (ulong)(r >> 64);
        m = t0 * Inv;
        r = Mul64(m, P0) + t0;
        r = Mul64(m, P1) + t1 + (ulong)(r >> 64); t0 = (ulong)r;
        r = Mul64(m, P2) + t2 + (ulong)(r >> 64); t1 = (ulong)r;
        r = Mul64(m, P3) + t3 + (ulong)(r >> 64); t2 = (ulong)r; t3 = t4 + (ulong)(r >> 64);

        ai = a.L2;
        r = Mul64(ai, b0) + t0; t0 = (ulong)r;
        r = Mul64(ai, b1) + t1 + (ulong)(r >> 64); t1 = (ulong)r;
        r = Mul64(ai, b2) + t2 + (ulong)(r >> 64); t2 = (ulong)r;
        r = Mul64(ai, b3) + t3 + (ulong)(r >> 64); t3 = (ulong)r; t4 = (ulong)(r >> 64);
        m = t0 * Inv;
        r = Mul64(m, P0) + t0;
        r = Mul64(m, P1) + t1 + (ulong)(r >> 64); t0 = (ulong)r;
        r = Mul64(m, P2) + t2 + (ulong)(r >> 64); t1 = (ulong)r;
        r = Mul64(m, P3) + t3 + (ulong)(r >> 64); t2 = (ulong)r; t3 = t4 + (ulong)(r >> 64);

        ai = a.L3;
        r = Mul64(ai, b0) + t0; t0 = (ulong)r;
        r = Mul64(ai, b1) + t1 + (ulong)(r >> 64); t1 = (ulong)r;
        r = Mul64(ai, b2) + t2 + (ulong)(r >> 64); t2 = (ulong)r;
        r = Mul64(ai, b3) + t3 + (ulong)(r >> 64); t3 = (ulong)r; t4 = (ulong)(r >> 64);
        m = t0 * Inv;
        r = Mul64(m, P0) + t0;
        r = Mul64(m, P1) + t1 + (ulong)(r >> 64); t0 = (ulong)r;
        r = Mul64(m, P2) + t2 + (ulong)(r >> 64); t1 = (ulong)r;
        r = Mul64(m, P3) + t3 + (ulong)(r >> 64); t2 = (ulong)r; t3 = t4 + (ulong)(r >> 64);

        // The result is below 2p, so one conditional subtraction reduces it.
        return ReduceOnce(t0, t1, t2, t3);
    }

    // mulx for the high half and imul for the low one keep both in registers.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static UInt128 Mul64(ulong a, ulong b)
        => Bmi2.X64.IsSupported
            ? new UInt128(Bmi2.X64.MultiplyNoFlags(a, b), a * b)
            : Math.BigMul(a, b);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Fp ReduceOnce(ulong s0, ulong s1, ulong s2, ulong s3)
    {
        ulong borrow = 0;
        ulong d0 = SubB(s0, P0, ref borrow);
        ulong d1 = SubB(s1, P1, ref borrow);
        ulong d2 = SubB(s2, P2, ref borrow);
        ulong d3 = SubB(s3, P3, ref borrow);
        return borrow != 0 ? new Fp(s0, s1, s2, s3) : new Fp(d0, d1, d2, d3);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong AddC(ulong a, ulong b, ref ulong carry)
    {
        ulong s = a + b;
        ulong c1 = s < a ? 1UL : 0UL;
        ulong s2 = s + carry;
        carry = c1 | (s2 < s ? 1UL : 0UL);
        return s2;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong SubB(ulong a, ulong b, ref ulong borrow)
    {
        ulong d = a - b;
        ulong b1 = a < b ? 1UL : 0UL;
        ulong d2 = d - borrow;
        borrow = b1 | (d < borrow ? 1UL : 0UL);
        return d2;
    }

    /// <summary>a^e for an exponent given as little-endian 64-bit limbs.</summary>
    public static Fp Pow(in Fp a, ReadOnlySpan<ulong> exponent)
    {
        var result = One;
        for (int i = exponent.Length - 1; i >= 0; i--)
        {
            for (int bit = 63; bit >= 0; bit--)
            {
                result = Square(result);
                if (((exponent[i] >> bit) & 1) != 0) result = Mul(result, a);
            }
        }
        return result;
    }

    // R^3 mod p: the binary inversion below inverts the Montgomery representation aR itself, giving a^-1 R^-1,
    // and a Montgomery product with R^3 turns that into a^-1 R.
    private static readonly Fp RCubed = Mul(new Fp(RR0, RR1, RR2, RR3), new Fp(RR0, RR1, RR2, RR3));

    /// <summary>a^-1 (zero maps to zero), by the binary extended Euclidean algorithm.</summary>
    /// <remarks>
    /// Not constant time, which is fine: every input is public chain data. Measured about 15 times faster than
    /// Fermat's a^(p-2), and an ecAdd is little more than one inversion.
    /// </remarks>
    public static Fp Inverse(in Fp a)
    {
        if (a.IsZero) return a;
        var u = a;
        var v = new Fp(P0, P1, P2, P3);
        var x1 = new Fp(1, 0, 0, 0);
        var x2 = Zero;
        // Invariants: x1·a ≡ u and x2·a ≡ v (mod p), with a the raw limbs; gcd(u, v) = 1 throughout.
        while (!IsRawOne(u) && !IsRawOne(v))
        {
            while ((u.L0 & 1) == 0)
            {
                u = Shr1(u);
                x1 = HalfModP(x1);
            }
            while ((v.L0 & 1) == 0)
            {
                v = Shr1(v);
                x2 = HalfModP(x2);
            }
            if (GreaterOrEqual(u, v))
            {
                u = SubRaw(u, v);
                x1 = Sub(x1, x2);
            }
            else
            {
                v = SubRaw(v, u);
                x2 = Sub(x2, x1);
            }
        }
        return Mul(IsRawOne(u) ? x1 : x2, RCubed);
    }

    private static bool IsRawOne(in Fp a) => a.L0 == 1 && (a.L1 | a.L2 | a.L3) == 0;

    private static Fp Shr1(in Fp a) => new(a.L0 >> 1 | a.L1 << 63, a.L1 >> 1 | a.L2 << 63, a.L2 >> 1 | a.L3 << 63, a.L3 >> 1);

    /// <summary>x/2 mod p for x below p: x is halved directly when even, else x + p (below 2^255, so no overflow) is.</summary>
    private static Fp HalfModP(in Fp x)
    {
        if ((x.L0 & 1) == 0) return Shr1(x);
        ulong c = 0;
        ulong s0 = AddC(x.L0, P0, ref c);
        ulong s1 = AddC(x.L1, P1, ref c);
        ulong s2 = AddC(x.L2, P2, ref c);
        ulong s3 = x.L3 + P3 + c;
        return Shr1(new Fp(s0, s1, s2, s3));
    }

    private static bool GreaterOrEqual(in Fp a, in Fp b)
    {
        if (a.L3 != b.L3) return a.L3 > b.L3;
        if (a.L2 != b.L2) return a.L2 > b.L2;
        if (a.L1 != b.L1) return a.L1 > b.L1;
        return a.L0 >= b.L0;
    }

    private static Fp SubRaw(in Fp a, in Fp b)
    {
        ulong borrow = 0;
        ulong d0 = SubB(a.L0, b.L0, ref borrow);
        ulong d1 = SubB(a.L1, b.L1, ref borrow);
        ulong d2 = SubB(a.L2, b.L2, ref borrow);
        ulong d3 = SubB(a.L3, b.L3, ref borrow);
        return new Fp(d0, d1, d2, d3);
    }

    /// <summary>a^(p-2) = a^-1 by Fermat; the reference the faster <see cref="Inverse"/> is tested against.</summary>
    internal static Fp InverseByFermat(in Fp a)
    {
        ReadOnlySpan<ulong> pMinus2 = [P0 - 2, P1, P2, P3];
        return Pow(a, pMinus2);
    }
}
