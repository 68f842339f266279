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
