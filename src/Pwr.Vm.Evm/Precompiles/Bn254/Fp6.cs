namespace Pwr.Vm.Evm.Precompiles.Bn254;

/// <summary>Fp6 = Fp2[v]/(v^3 - ξ), ξ = 9 + u: an element c0 + c1·v + c2·v^2.</summary>
internal readonly struct Fp6
{
    public readonly Fp2 C0, C1, C2;

    public Fp6(in Fp2 c0, in Fp2 c1, in Fp2 c2)
    {
        C0 = c0; C1 = c1; C2 = c2;
    }

    public static Fp6 Zero => default;
    public static Fp6 One => new(Fp2.One, Fp2.Zero, Fp2.Zero);
    public bool IsZero => C0.IsZero && C1.IsZero && C2.IsZero;

    public static bool Eq(in Fp6 a, in Fp6 b) => Fp2.Eq(a.C0, b.C0) && Fp2.Eq(a.C1, b.C1) && Fp2.Eq(a.C2, b.C2);

    public static Fp6 Add(in Fp6 a, in Fp6 b) => new(Fp2.Add(a.C0, b.C0), Fp2.Add(a.C1, b.C1), Fp2.Add(a.C2, b.C2));

    public static Fp6 Sub(in Fp6 a, in Fp6 b) => new(Fp2.Sub(a.C0, b.C0), Fp2.Sub(a.C1, b.C1), Fp2.Sub(a.C2, b.C2));

    public static Fp6 Neg(in Fp6 a) => new(Fp2.Neg(a.C0), Fp2.Neg(a.C1), Fp2.Neg(a.C2));

    public static Fp6 Mul(in Fp6 a, in Fp6 b)
    {
        // Karatsuba over the three coefficients (six Fp2 products), folding v^3 = ξ.
        var t0 = Fp2.Mul(a.C0, b.C0);
        var t1 = Fp2.Mul(a.C1, b.C1);
        var t2 = Fp2.Mul(a.C2, b.C2);
        var c0 = Fp2.Add(t0, Fp2.MulByXi(Fp2.Sub(Fp2.Sub(Fp2.Mul(Fp2.Add(a.C1, a.C2), Fp2.Add(b.C1, b.C2)), t1), t2)));
        var c1 = Fp2.Add(Fp2.Sub(Fp2.Sub(Fp2.Mul(Fp2.Add(a.C0, a.C1), Fp2.Add(b.C0, b.C1)), t0), t1), Fp2.MulByXi(t2));
        var c2 = Fp2.Add(Fp2.Sub(Fp2.Sub(Fp2.Mul(Fp2.Add(a.C0, a.C2), Fp2.Add(b.C0, b.C2)), t0), t2), t1);
        return new(c0, c1, c2);
    }

    public static Fp6 Square(in Fp6 a) => Mul(a, a);

    /// <summary>a · (b0 + b1 v): the shape of a line's coefficients, five Fp2 products.</summary>
    public static Fp6 MulBy01(in Fp6 a, in Fp2 b0, in Fp2 b1)
    {
        // (a0 + a1 v + a2 v^2)(b0 + b1 v) = (a0 b0 + ξ a2 b1) + (a0 b1 + a1 b0) v + (a1 b1 + a2 b0) v^2.
        var t0 = Fp2.Mul(a.C0, b0);
        var t1 = Fp2.Mul(a.C1, b1);
        var c0 = Fp2.Add(t0, Fp2.MulByXi(Fp2.Mul(a.C2, b1)));
        var c1 = Fp2.Sub(Fp2.Sub(Fp2.Mul(Fp2.Add(a.C0, a.C1), Fp2.Add(b0, b1)), t0), t1);
        var c2 = Fp2.Add(t1, Fp2.Mul(a.C2, b0));
        return new(c0, c1, c2);
    }

    /// <summary>Multiplies by v: (c0, c1, c2) -> (ξ c2, c0, c1).</summary>
    public static Fp6 MulByV(in Fp6 a) => new(Fp2.MulByXi(a.C2), a.C0, a.C1);

    public static Fp6 MulByFp2(in Fp6 a, in Fp2 b) => new(Fp2.Mul(a.C0, b), Fp2.Mul(a.C1, b), Fp2.Mul(a.C2, b));

    public static Fp6 Inverse(in Fp6 a)
    {
        // Adjugate over the norm: A = c0^2 - ξ c1 c2, B = ξ c2^2 - c0 c1, C = c1^2 - c0 c2,
        // and a·(A + B v + C v^2) = c0 A + ξ (c2 B + c1 C), an element of Fp2.
        var a0 = Fp2.Sub(Fp2.Square(a.C0), Fp2.MulByXi(Fp2.Mul(a.C1, a.C2)));
        var b0 = Fp2.Sub(Fp2.MulByXi(Fp2.Square(a.C2)), Fp2.Mul(a.C0, a.C1));
        var c0 = Fp2.Sub(Fp2.Square(a.C1), Fp2.Mul(a.C0, a.C2));
        var norm = Fp2.Add(Fp2.Mul(a.C0, a0), Fp2.MulByXi(Fp2.Add(Fp2.Mul(a.C2, b0), Fp2.Mul(a.C1, c0))));
        var inv = Fp2.Inverse(norm);
        return new(Fp2.Mul(a0, inv), Fp2.Mul(b0, inv), Fp2.Mul(c0, inv));
    }
}
