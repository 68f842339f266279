namespace Pwr.Vm.Evm.Precompiles.Bn254;

/// <summary>G2 helpers on the twist E': the untwist-Frobenius-twist endomorphism ψ and a fast [r]Q for the subgroup check.</summary>
internal static class G2
{
    /// <summary>ψ(x, y) = (conj(x)·γ2, conj(y)·γ3): the p-power Frobenius of E(Fp12) seen through the twist.</summary>
    public static JacobianPoint<Fp2> Psi(in JacobianPoint<Fp2> q)
    {
        var gamma = Bn254Constants.FrobeniusGamma;
        // x = X/Z^2 and y = Y/Z^3 conjugate with X, Y, Z, so ψ acts on Jacobian coordinates directly.
        return new(Fp2.Mul(Fp2.Conjugate(q.X), gamma[2]), Fp2.Mul(Fp2.Conjugate(q.Y), gamma[3]), Fp2.Conjugate(q.Z));
    }

    /// <summary>
    /// [r]Q for any point of the twist, with half the doublings of a plain 254-bit multiplication.
    /// </summary>
    /// <remarks>
    /// ψ is conjugate to the p-power Frobenius, so on every point it satisfies ψ^2 - tψ + p = 0 with t = 6x^2 + 1 the
    /// trace, and r = p + 1 - t. Hence [r]Q = [p]Q + Q - [t]Q = [t](ψQ - Q) + Q - ψ^2 Q, an identity (not a
    /// probabilistic test): the tests compare it with the plain product on points inside and outside G2.
    /// </remarks>
    public static JacobianPoint<Fp2> MultiplyByOrder(in JacobianPoint<Fp2> q)
    {
        var psi = Psi(q);
        var psi2 = Psi(psi);
        var d = JacobianPoint<Fp2>.Add(psi, Negate(q));
        var td = JacobianPoint<Fp2>.Multiply(d, Bn254Constants.TraceBytes);
        return JacobianPoint<Fp2>.Add(JacobianPoint<Fp2>.Add(td, q), Negate(psi2));
    }

    private static JacobianPoint<Fp2> Negate(in JacobianPoint<Fp2> q) => new(q.X, Fp2.Neg(q.Y), q.Z);
}
