using System.Numerics;

namespace Pwr.Vm.Evm.Precompiles.Bn254;

/// <summary>Fp12 = Fp6[w]/(w^2 - v): the pairing's target field, an element c0 + c1·w.</summary>
internal readonly struct Fp12
{
    public readonly Fp6 C0, C1;

    public Fp12(in Fp6 c0, in Fp6 c1)
    {
        C0 = c0; C1 = c1;
    }

    public static Fp12 One => new(Fp6.One, Fp6.Zero);

    public static bool Eq(in Fp12 a, in Fp12 b) => Fp6.Eq(a.C0, b.C0) && Fp6.Eq(a.C1, b.C1);

    public bool IsOne => Eq(this, One);

    public static Fp12 Mul(in Fp12 a, in Fp12 b)
    {
        var t0 = Fp6.Mul(a.C0, b.C0);
        var t1 = Fp6.Mul(a.C1, b.C1);
        var c1 = Fp6.Sub(Fp6.Sub(Fp6.Mul(Fp6.Add(a.C0, a.C1), Fp6.Add(b.C0, b.C1)), t0), t1);
        return new(Fp6.Add(t0, Fp6.MulByV(t1)), c1);
    }

    public static Fp12 Square(in Fp12 a)
    {
        // (c0 + c1 w)^2 = (c0^2 + v c1^2) + 2 c0 c1 w, with c0^2 + v c1^2 = (c0 + c1)(c0 + v c1) - c0c1 - v c0c1.
        var ab = Fp6.Mul(a.C0, a.C1);
        var c0 = Fp6.Sub(Fp6.Sub(Fp6.Mul(Fp6.Add(a.C0, a.C1), Fp6.Add(a.C0, Fp6.MulByV(a.C1))), ab), Fp6.MulByV(ab));
        return new(c0, Fp6.Add(ab, ab));
    }

    /// <summary>
    /// a^2 for a in the cyclotomic subgroup (order dividing p^4 - p^2 + 1, as after the easy part of the final
    /// exponentiation), by Granger and Scott: 9 Fp2 squarings instead of the 12 Fp2 products of a general square.
    /// </summary>
    /// <remarks>
    /// Fp12 = Fp4[w]/(w^3 - s) with Fp4 = Fp2[s]/(s^2 - ξ), s = w^3. Over the basis w^0..w^5 the coefficients are
    /// g0 = c0.c0, g1 = c1.c0, g2 = c0.c1, g3 = c1.c1, g4 = c0.c2, g5 = c1.c2, so a = A + B w + C w^2 with
    /// A = g0 + g3 s, B = g1 + g4 s, C = g2 + g5 s, and for unitary a: A' = 3A^2 - 2 conj(A), B' = 3 s C^2 + 2 conj(B),
    /// C' = 3B^2 - 2 conj(C), conj(x + y s) = x - y s.
    /// </remarks>
    public static Fp12 CyclotomicSquare(in Fp12 a)
    {
        Fp4Square(a.C0.C0, a.C1.C1, out var a0, out var a1);   // A^2
        Fp4Square(a.C1.C0, a.C0.C2, out var b0, out var b1);   // B^2
        Fp4Square(a.C0.C1, a.C1.C2, out var c0, out var c1);   // C^2
        // s·C^2 = ξ c1 + c0 s.
        var sc0 = Fp2.MulByXi(c1);
        var sc1 = c0;

        // A' = 3A^2 - 2conj(A): x' = 3x2 - 2x, y' = 3y2 + 2y.
        var g0 = Fp2.Add(Fp2.Double(Fp2.Sub(a0, a.C0.C0)), a0);
        var g3 = Fp2.Add(Fp2.Double(Fp2.Add(a1, a.C1.C1)), a1);
        // B' = 3sC^2 + 2conj(B): x' = 3sx + 2x, y' = 3sy - 2y.
        var g1 = Fp2.Add(Fp2.Double(Fp2.Add(sc0, a.C1.C0)), sc0);
        var g4 = Fp2.Add(Fp2.Double(Fp2.Sub(sc1, a.C0.C2)), sc1);
        // C' = 3B^2 - 2conj(C).
        var g2 = Fp2.Add(Fp2.Double(Fp2.Sub(b0, a.C0.C1)), b0);
        var g5 = Fp2.Add(Fp2.Double(Fp2.Add(b1, a.C1.C2)), b1);
        return new(new Fp6(g0, g2, g4), new Fp6(g1, g3, g5));
    }

    /// <summary>(x + y s)^2 = (x^2 + ξ y^2) + ((x + y)^2 - x^2 - y^2) s.</summary>
    private static void Fp4Square(in Fp2 x, in Fp2 y, out Fp2 r0, out Fp2 r1)
    {
        var x2 = Fp2.Square(x);
        var y2 = Fp2.Square(y);
        r0 = Fp2.Add(x2, Fp2.MulByXi(y2));
        r1 = Fp2.Sub(Fp2.Sub(Fp2.Square(Fp2.Add(x, y)), x2), y2);
    }

    /// <summary>a^e for a unitary a (cyclotomic subgroup), squaring with <see cref="CyclotomicSquare"/>.</summary>
    public static Fp12 CyclotomicPow(in Fp12 a, ulong exponent)
    {
        var result = One;
        for (int bit = 63 - BitOperations.LeadingZeroCount(exponent); bit >= 0; bit--)
        {
            result = CyclotomicSquare(result);
            if (((exponent >> bit) & 1) != 0) result = Mul(result, a);
        }
        return result;
    }

    /// <summary>c0 - c1·w, which equals a^(p^6); for elements of norm one (after the easy part) also the inverse.</summary>
    public static Fp12 Conjugate(in Fp12 a) => new(a.C0, Fp6.Neg(a.C1));

    public static Fp12 Inverse(in Fp12 a)
    {
        // 1 / (c0 + c1 w) = (c0 - c1 w) / (c0^2 - v c1^2).
        var norm = Fp6.Sub(Fp6.Square(a.C0), Fp6.MulByV(Fp6.Square(a.C1)));
        var inv = Fp6.Inverse(norm);
        return new(Fp6.Mul(a.C0, inv), Fp6.Neg(Fp6.Mul(a.C1, inv)));
    }

    /// <summary>
    /// a^p. Written over the basis w^i (i = 0..5: 1, w, v, vw, v^2, v^2 w) each Fp2 coefficient g becomes
    /// conj(g)·γ_i with γ_i = ξ^(i(p-1)/6), because w^6 = ξ.
    /// </summary>
    public static Fp12 Frobenius(in Fp12 a)
    {
        var g = Bn254Constants.FrobeniusGamma;
        var c0 = new Fp6(Fp2.Conjugate(a.C0.C0), Fp2.Mul(Fp2.Conjugate(a.C0.C1), g[2]), Fp2.Mul(Fp2.Conjugate(a.C0.C2), g[4]));
        var c1 = new Fp6(Fp2.Mul(Fp2.Conjugate(a.C1.C0), g[1]), Fp2.Mul(Fp2.Conjugate(a.C1.C1), g[3]), Fp2.Mul(Fp2.Conjugate(a.C1.C2), g[5]));
        return new(c0, c1);
    }

    public static Fp12 Pow(in Fp12 a, ulong exponent)
    {
        var result = One;
        for (int bit = 63 - BitOperations.LeadingZeroCount(exponent); bit >= 0; bit--)
        {
            result = Square(result);
            if (((exponent >> bit) & 1) != 0) result = Mul(result, a);
        }
        return result;
    }

    public static Fp12 Pow(in Fp12 a, BigInteger exponent)
    {
        var result = One;
        for (long bit = (long)exponent.GetBitLength() - 1; bit >= 0; bit--)
        {
            result = Square(result);
            if (!(exponent >> (int)bit).IsEven) result = Mul(result, a);
        }
        return result;
    }
}
