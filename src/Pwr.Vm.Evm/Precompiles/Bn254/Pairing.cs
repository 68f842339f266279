namespace Pwr.Vm.Evm.Precompiles.Bn254;

/// <summary>The optimal ate pairing on bn254, used as a product check: ∏ e(P_i, Q_i) == 1.</summary>
internal static class Pairing
{
    /// <summary>
    /// True when the product of e(P_i, Q_i) is one. Points must be valid, finite, and Q_i in the order-r subgroup
    /// (callers drop pairs with a point at infinity: they contribute a factor of one).
    /// </summary>
    public static bool ProductIsOne(ReadOnlySpan<Fp> px, ReadOnlySpan<Fp> py, ReadOnlySpan<Fp2> qx, ReadOnlySpan<Fp2> qy)
    {
        if (px.Length == 0) return true;
        return FinalExponentiation(MillerLoop(px, py, qx, qy)).IsOne;
    }

    /// <summary>The pairing value itself, for tests of bilinearity.</summary>
    internal static Fp12 Pair(in Fp px, in Fp py, in Fp2 qx, in Fp2 qy)
        => FinalExponentiation(MillerLoop([px], [py], [qx], [qy]));

    internal static Fp12 MillerLoop(ReadOnlySpan<Fp> px, ReadOnlySpan<Fp> py, ReadOnlySpan<Fp2> qx, ReadOnlySpan<Fp2> qy)
    {
        int n = px.Length;
        // T_i starts at Q_i and runs through the multiples of Q_i named by the leading bits of 6x + 2. T is kept in
        // Jacobian coordinates on the twist so that no step needs a field inversion.
        var t = new JacobianPoint<Fp2>[n];
        for (int i = 0; i < n; i++) t[i] = JacobianPoint<Fp2>.FromAffine(qx[i], qy[i]);
        var f = Fp12.One;
        // 6x + 2 is 65 bits: a UInt128 keeps the bit tests free of BigInteger allocations.
        var loop = (UInt128)Bn254Constants.AteLoopCount;
        for (int bit = 126 - (int)UInt128.LeadingZeroCount(loop); bit >= 0; bit--)
        {
            f = Fp12.Square(f);
            for (int i = 0; i < n; i++)
                f = MulByLine(f, DoublingStep(ref t[i], px[i], py[i]));
            if (((loop >> bit) & 1) != 0)
            {
                for (int i = 0; i < n; i++)
                {
                    if (AdditionStep(ref t[i], qx[i], qy[i], px[i], py[i], out var line)) f = MulByLine(f, line);
                }
            }
        }

        // Optimal ate tail: add Q1 = π(Q) and then -Q2 = -π^2(Q). The last sum is O for subgroup points, and its line
        // is vertical, an Fp6 value the final exponentiation removes, so AdditionStep skips it.
        var gamma = Bn254Constants.FrobeniusGamma;
        for (int i = 0; i < n; i++)
        {
            var q1x = Fp2.Mul(Fp2.Conjugate(qx[i]), gamma[2]);
            var q1y = Fp2.Mul(Fp2.Conjugate(qy[i]), gamma[3]);
            var q2x = Fp2.Mul(Fp2.Conjugate(q1x), gamma[2]);
            var q2y = Fp2.Neg(Fp2.Mul(Fp2.Conjugate(q1y), gamma[3]));
            if (AdditionStep(ref t[i], q1x, q1y, px[i], py[i], out var line)) f = MulByLine(f, line);
            if (AdditionStep(ref t[i], q2x, q2y, px[i], py[i], out line)) f = MulByLine(f, line);
        }
        return f;
    }

    // Lines. With the untwist (x, y) -> (x w^2, y w^3) a line through T with twist slope λ has slope λw, and at P it is
    //   yP - λ xP w + (λ xT - yT) w^3,
    // i.e. the sparse Fp12 element c0 = (a, 0, 0), c1 = (b, c, 0) (w^3 = v·w). Any nonzero Fp2 multiple of a line is as
    // good, since the final exponentiation sends Fp6 (hence Fp2) factors to one: the steps scale away λ's denominator.
    // Vertical lines are dropped for the same reason.

    /// <summary>The line's three nonzero Fp2 coefficients: a (of 1), b (of w), c (of v·w).</summary>
    internal readonly struct Line(in Fp2 a, in Fp2 b, in Fp2 c)
    {
        public readonly Fp2 A = a, B = b, C = c;
    }

    /// <summary>T <- 2T (Jacobian, dbl-2009-l); returns the tangent at T evaluated at P, scaled by 2·Y·Z^3.</summary>
    private static Line DoublingStep(ref JacobianPoint<Fp2> t, in Fp px, in Fp py)
    {
        // λ = 3X^2 / (2YZ); x = X/Z^2, y = Y/Z^3. Scaled by 2YZ^3: a = 2YZ^3·yP, b = -3X^2 Z^2·xP, c = 3X^3 - 2Y^2.
        var xx = Fp2.Square(t.X);
        var yy = Fp2.Square(t.Y);
        var yyyy = Fp2.Square(yy);
        var zz = Fp2.Square(t.Z);
        var d = Fp2.Double(Fp2.Sub(Fp2.Sub(Fp2.Square(Fp2.Add(t.X, yy)), xx), yyyy));
        var e = Fp2.Add(Fp2.Double(xx), xx);
        var x3 = Fp2.Sub(Fp2.Square(e), Fp2.Double(d));
        var y3 = Fp2.Sub(Fp2.Mul(e, Fp2.Sub(d, x3)), Fp2.Double(Fp2.Double(Fp2.Double(yyyy))));
        var z3 = Fp2.Double(Fp2.Mul(t.Y, t.Z));

        var a = Fp2.MulByFp(Fp2.Mul(z3, zz), py);
        var b = Fp2.Neg(Fp2.MulByFp(Fp2.Mul(e, zz), px));
        var c = Fp2.Sub(Fp2.Mul(e, t.X), Fp2.Double(yy));
        t = new JacobianPoint<Fp2>(x3, y3, z3);
        return new Line(a, b, c);
    }

    /// <summary>
    /// T <- T + Q for affine Q; returns the chord at P scaled by Z·H, or false when it is vertical (T = -Q, T becomes O).
    /// </summary>
    private static bool AdditionStep(ref JacobianPoint<Fp2> t, in Fp2 qx, in Fp2 qy, in Fp px, in Fp py, out Line line)
    {
        // H = xQ Z^2 - X, S = yQ Z^3 - Y, λ = S / (Z H). Scaled by Z3 = Z H: a = Z3·yP, b = -S·xP, c = S xQ - Z3 yQ.
        var zz = Fp2.Square(t.Z);
        var h = Fp2.Sub(Fp2.Mul(qx, zz), t.X);
        var s = Fp2.Sub(Fp2.Mul(qy, Fp2.Mul(zz, t.Z)), t.Y);
        if (h.IsZero)
        {
            if (s.IsZero)
            {
                line = DoublingStep(ref t, px, py);
                return true;
            }
            t = JacobianPoint<Fp2>.Infinity;
            line = default;
            return false;
        }
        var hh = Fp2.Square(h);
        var hhh = Fp2.Mul(hh, h);
        var xhh = Fp2.Mul(t.X, hh);
        var x3 = Fp2.Sub(Fp2.Sub(Fp2.Square(s), hhh), Fp2.Double(xhh));
        var y3 = Fp2.Sub(Fp2.Mul(s, Fp2.Sub(xhh, x3)), Fp2.Mul(t.Y, hhh));
        var z3 = Fp2.Mul(t.Z, h);

        line = new Line(Fp2.MulByFp(z3, py), Fp2.Neg(Fp2.MulByFp(s, px)), Fp2.Sub(Fp2.Mul(s, qx), Fp2.Mul(z3, qy)));
        t = new JacobianPoint<Fp2>(x3, y3, z3);
        return true;
    }

    /// <summary>f · (a + (b + c v) w), using the line's zeros (15 Fp2 products instead of 18).</summary>
    private static Fp12 MulByLine(in Fp12 f, in Line line)
    {
        var t0 = Fp6.MulByFp2(f.C0, line.A);
        var t1 = Fp6.MulBy01(f.C1, line.B, line.C);
        var sum = Fp6.MulBy01(Fp6.Add(f.C0, f.C1), Fp2.Add(line.A, line.B), line.C);
        return new Fp12(Fp6.Add(t0, Fp6.MulByV(t1)), Fp6.Sub(Fp6.Sub(sum, t0), t1));
    }

    /// <summary>f^((p^12 - 1) / r), split as (p^6 - 1)(p^2 + 1) · (p^4 - p^2 + 1) / r.</summary>
    internal static Fp12 FinalExponentiation(in Fp12 f)
    {
        var t = Fp12.Mul(Fp12.Conjugate(f), Fp12.Inverse(f));
        t = Fp12.Mul(Fp12.Frobenius(Fp12.Frobenius(t)), t);

        // Hard part: (p^4 - p^2 + 1) / r = λ3 p^3 + λ2 p^2 + λ1 p + λ0 with λ3 = 1, λ2 = 6x^2 + 1,
        // λ1 = -36x^3 - 18x^2 - 12x + 1, λ0 = -36x^3 - 30x^2 - 18x - 2 (Scott et al., "On the final exponentiation
        // for calculating pairings on ordinary elliptic curves"; the tests check the identity). Powers of p are
        // Frobenius maps, and t is now in the cyclotomic subgroup: negative exponents are conjugations and squarings
        // take the cheaper cyclotomic formula.
        var a = Fp12.CyclotomicPow(t, Bn254Constants.XU64);
        var b = Fp12.CyclotomicPow(a, Bn254Constants.XU64);
        var c = Fp12.CyclotomicPow(b, Bn254Constants.XU64);
        var c36 = Fp12.CyclotomicPow(c, 36);
        var b6 = Fp12.CyclotomicPow(b, 6);
        var b18 = Fp12.CyclotomicPow(b6, 3);
        var a6 = Fp12.CyclotomicPow(a, 6);
        var a12 = Fp12.CyclotomicSquare(a6);
        var a18 = Fp12.Mul(a12, a6);

        var f2 = Fp12.Mul(b6, t);
        var f1 = Fp12.Mul(Fp12.Conjugate(Fp12.Mul(Fp12.Mul(c36, b18), a12)), t);
        var b30 = Fp12.Mul(b18, Fp12.CyclotomicSquare(b6));
        var f0 = Fp12.Conjugate(Fp12.Mul(Fp12.Mul(Fp12.Mul(c36, b30), a18), Fp12.CyclotomicSquare(t)));

        var result = Fp12.Frobenius(Fp12.Frobenius(Fp12.Frobenius(t)));
        result = Fp12.Mul(result, Fp12.Frobenius(Fp12.Frobenius(f2)));
        result = Fp12.Mul(result, Fp12.Frobenius(f1));
        return Fp12.Mul(result, f0);
    }
}
