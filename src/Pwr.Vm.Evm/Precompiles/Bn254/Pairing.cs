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
        // T_i starts at Q_i and runs through the multiples of Q_i named by the leading bits of 6x + 2 (affine, on the twist).
        var tx = qx.ToArray();
        var ty = qy.ToArray();
        var f = Fp12.One;
        var loop = Bn254Constants.AteLoopCount;
        for (int bit = (int)loop.GetBitLength() - 2; bit >= 0; bit--)
        {
            f = Fp12.Square(f);
            for (int i = 0; i < n; i++)
            {
                DoublingStep(ref tx[i], ref ty[i], px[i], out var l1, out var l2);
                f = MulByLine(f, py[i], l1, l2);
            }
            if (!(loop >> bit).IsEven)
            {
                for (int i = 0; i < n; i++)
                {
                    if (AdditionStep(ref tx[i], ref ty[i], qx[i], qy[i], px[i], out var l1, out var l2))
                        f = MulByLine(f, py[i], l1, l2);
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
            if (AdditionStep(ref tx[i], ref ty[i], q1x, q1y, px[i], out var l1, out var l2))
                f = MulByLine(f, py[i], l1, l2);
            if (AdditionStep(ref tx[i], ref ty[i], q2x, q2y, px[i], out l1, out l2))
                f = MulByLine(f, py[i], l1, l2);
        }
        return f;
    }

    // Lines. With the untwist (x, y) -> (x w^2, y w^3) a line through T with twist slope λ has slope λw, and at P it is
    //   yP - λ xP w + (λ xT - yT) w^3,
    // i.e. the sparse Fp12 element c0 = (yP, 0, 0), c1 = (-λ xP, λ xT - yT, 0) (w^3 = v·w). Vertical lines are dropped.

    /// <summary>T <- 2T; outputs the tangent line's two Fp2 coefficients at P.</summary>
    private static void DoublingStep(ref Fp2 tx, ref Fp2 ty, in Fp px, out Fp2 l1, out Fp2 l2)
    {
        var x2 = Fp2.Square(tx);
        var lambda = Fp2.Mul(Fp2.Add(Fp2.Add(x2, x2), x2), Fp2.Inverse(Fp2.Double(ty)));
        var x3 = Fp2.Sub(Fp2.Square(lambda), Fp2.Double(tx));
        var y3 = Fp2.Sub(Fp2.Mul(lambda, Fp2.Sub(tx, x3)), ty);
        l1 = Fp2.Neg(Fp2.MulByFp(lambda, px));
        l2 = Fp2.Sub(Fp2.Mul(lambda, tx), ty);
        tx = x3; ty = y3;
    }

    /// <summary>T <- T + Q; outputs the chord's coefficients at P, or false when the line is vertical (T = -Q, T becomes O).</summary>
    private static bool AdditionStep(ref Fp2 tx, ref Fp2 ty, in Fp2 qx, in Fp2 qy, in Fp px, out Fp2 l1, out Fp2 l2)
    {
        if (Fp2.Eq(tx, qx))
        {
            if (Fp2.Eq(ty, qy))
            {
                DoublingStep(ref tx, ref ty, px, out l1, out l2);
                return true;
            }
            tx = Fp2.Zero; ty = Fp2.Zero;
            l1 = default; l2 = default;
            return false;
        }
        var lambda = Fp2.Mul(Fp2.Sub(qy, ty), Fp2.Inverse(Fp2.Sub(qx, tx)));
        var x3 = Fp2.Sub(Fp2.Sub(Fp2.Square(lambda), tx), qx);
        var y3 = Fp2.Sub(Fp2.Mul(lambda, Fp2.Sub(tx, x3)), ty);
        l1 = Fp2.Neg(Fp2.MulByFp(lambda, px));
        l2 = Fp2.Sub(Fp2.Mul(lambda, tx), ty);
        tx = x3; ty = y3;
        return true;
    }

    /// <summary>f · (yP + (l1 + l2 v) w).</summary>
    private static Fp12 MulByLine(in Fp12 f, in Fp py, in Fp2 l1, in Fp2 l2)
    {
        var line = new Fp12(new Fp6(new Fp2(py, Fp.Zero), Fp2.Zero, Fp2.Zero), new Fp6(l1, l2, Fp2.Zero));
        return Fp12.Mul(f, line);
    }

    /// <summary>f^((p^12 - 1) / r), split as (p^6 - 1)(p^2 + 1) · (p^4 - p^2 + 1) / r.</summary>
    internal static Fp12 FinalExponentiation(in Fp12 f)
    {
        var t = Fp12.Mul(Fp12.Conjugate(f), Fp12.Inverse(f));
        t = Fp12.Mul(Fp12.Frobenius(Fp12.Frobenius(t)), t);
        return Fp12.Pow(t, Bn254Constants.FinalExponentHard);
    }
}
