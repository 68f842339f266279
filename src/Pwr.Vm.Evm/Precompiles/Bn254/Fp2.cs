using System.Numerics;
using System.Runtime.CompilerServices;

namespace Pwr.Vm.Evm.Precompiles.Bn254;

/// <summary>Fp2 = Fp[u]/(u^2 + 1): the field of G2's coordinates, an element c0 + c1·u.</summary>
internal readonly struct Fp2 : IField<Fp2>
{
    public readonly Fp C0, C1;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Fp2(in Fp c0, in Fp c1)
    {
        C0 = c0; C1 = c1;
    }

    public static Fp2 Zero => default;
    public static Fp2 One => new(Fp.One, Fp.Zero);
    public bool IsZero => C0.IsZero && C1.IsZero;

    public static bool Eq(in Fp2 a, in Fp2 b) => Fp.Eq(a.C0, b.C0) && Fp.Eq(a.C1, b.C1);

    // Fp2 operations are deliberately not inlined (NoInlining below): inlining them, and the Fp code inside them, into
    // the Fp6/Fp12/line formulas exhausts the JIT's inlining budget, after which even constructors and carry helpers
    // become calls. Each Fp2 operation is one call with its Fp arithmetic inlined.
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static Fp2 Add(in Fp2 a, in Fp2 b) => new(Fp.Add(a.C0, b.C0), Fp.Add(a.C1, b.C1));

    [MethodImpl(MethodImplOptions.NoInlining)]
    public static Fp2 Sub(in Fp2 a, in Fp2 b) => new(Fp.Sub(a.C0, b.C0), Fp.Sub(a.C1, b.C1));

    [MethodImpl(MethodImplOptions.NoInlining)]
    public static Fp2 Neg(in Fp2 a) => new(Fp.Neg(a.C0), Fp.Neg(a.C1));

    [MethodImpl(MethodImplOptions.NoInlining)]
    public static Fp2 Double(in Fp2 a) => new(Fp.Add(a.C0, a.C0), Fp.Add(a.C1, a.C1));

    /// <summary>Complex conjugate c0 - c1·u, which is also the Frobenius map x -> x^p on Fp2.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static Fp2 Conjugate(in Fp2 a) => new(a.C0, Fp.Neg(a.C1));

    [MethodImpl(MethodImplOptions.NoInlining)]
    public static Fp2 Mul(in Fp2 a, in Fp2 b)
    {
        // Karatsuba: three base-field products instead of four.
        var t0 = Fp.Mul(a.C0, b.C0);
        var t1 = Fp.Mul(a.C1, b.C1);
        var t2 = Fp.Mul(Fp.Add(a.C0, a.C1), Fp.Add(b.C0, b.C1));
        return new(Fp.Sub(t0, t1), Fp.Sub(Fp.Sub(t2, t0), t1));
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    public static Fp2 Square(in Fp2 a)
    {
        // (c0 + c1 u)^2 = (c0 + c1)(c0 - c1) + 2 c0 c1 u.
        var t = Fp.Mul(a.C0, a.C1);
        return new(Fp.Mul(Fp.Add(a.C0, a.C1), Fp.Sub(a.C0, a.C1)), Fp.Add(t, t));
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    public static Fp2 MulByFp(in Fp2 a, in Fp b) => new(Fp.Mul(a.C0, b), Fp.Mul(a.C1, b));

    /// <summary>Multiplies by ξ = 9 + u, the non-residue that builds Fp6 (v^3 = ξ) and defines the twist.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static Fp2 MulByXi(in Fp2 a)
    {
        // (c0 + c1 u)(9 + u) = (9 c0 - c1) + (c0 + 9 c1) u.
        var c0x8 = Fp.Double(Fp.Double(Fp.Double(a.C0)));
        var c1x8 = Fp.Double(Fp.Double(Fp.Double(a.C1)));
        return new(Fp.Sub(Fp.Add(c0x8, a.C0), a.C1), Fp.Add(Fp.Add(c1x8, a.C1), a.C0));
    }

    public static Fp2 Inverse(in Fp2 a)
    {
        // 1 / (c0 + c1 u) = (c0 - c1 u) / (c0^2 + c1^2).
        var norm = Fp.Add(Fp.Square(a.C0), Fp.Square(a.C1));
        var inv = Fp.Inverse(norm);
        return new(Fp.Mul(a.C0, inv), Fp.Neg(Fp.Mul(a.C1, inv)));
    }

    public static Fp2 Pow(in Fp2 a, BigInteger exponent)
    {
        var result = One;
        for (long bit = (long)exponent.GetBitLength() - 1; bit >= 0; bit--)
        {
            result = Square(result);
            if (!(exponent >> (int)bit).IsEven) result = Mul(result, a);
        }
        return result;
    }

    public static Fp2 FromBigIntegers(BigInteger c0, BigInteger c1) => new(Fp.FromBigInteger(c0), Fp.FromBigInteger(c1));

    public override string ToString() => $"({C0}, {C1})";
}
