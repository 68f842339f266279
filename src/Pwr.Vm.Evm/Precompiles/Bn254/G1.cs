using System.Numerics;

namespace Pwr.Vm.Evm.Precompiles.Bn254;

/// <summary>G1 scalar multiplication with the GLV endomorphism φ(x, y) = (βx, y) = [λ](x, y), β^3 = 1 in Fp, λ^3 = 1 mod r.</summary>
internal static class G1
{
    private static readonly BigInteger R = Bn254Constants.R;

    /// <summary>β, a primitive cube root of one in Fp, paired with <see cref="Lambda"/> so that φ = [λ] on G1.</summary>
    internal static readonly Fp Beta;

    internal static readonly BigInteger Lambda;

    // A short basis (a1, b1), (a2, b2) of the lattice {(a, b) : a + bλ ≡ 0 mod r}, from the extended Euclidean
    // algorithm on (r, λ) (Gallant, Lambert, Vanstone, section 4): components are about sqrt(r).
    private static readonly BigInteger A1, B1, A2, B2;

    static G1()
    {
        var p = Bn254Constants.P;
        var betaValue = FindCubeRootOfUnity(p, p);
        var lambda = FindCubeRootOfUnity(R, R);
        Beta = Fp.FromBigInteger(betaValue);
        // Of the two nontrivial cube roots of one mod r, λ must be the one φ acts as; check on the generator.
        var g = JacobianPoint<Fp>.FromAffine(Fp.One, Fp.FromBigInteger(2));
        if (!SameAffine(Phi(g), JacobianPoint<Fp>.Multiply(g, ToBytes(lambda)))) lambda = lambda * lambda % R;
        Lambda = lambda;

        // Extended Euclid on (r, λ): remainders r_i with r_i ≡ t_i·λ (mod r); stop around sqrt(r).
        BigInteger r0 = R, r1 = lambda, t0 = 0, t1 = 1;
        var sqrtR = Sqrt(R);
        while (r1 >= sqrtR)
        {
            var q = r0 / r1;
            (r0, r1) = (r1, r0 - q * r1);
            (t0, t1) = (t1, t0 - q * t1);
        }
        // Now r0 >= sqrt(r) > r1: (r1, -t1) is short; the second vector is the shorter of (r0, -t0) and the next one.
        var q2 = r0 / r1;
        var r2 = r0 - q2 * r1;
        var t2 = t0 - q2 * t1;
        A1 = r1; B1 = -t1;
        if (r0 * r0 + t0 * t0 <= r2 * r2 + t2 * t2) { A2 = r0; B2 = -t0; }
        else { A2 = r2; B2 = -t2; }
    }

    /// <summary>k·P for P in G1 (every point of E(Fp) is: the cofactor is one) and any 256-bit k.</summary>
    public static JacobianPoint<Fp> Multiply(in JacobianPoint<Fp> point, ReadOnlySpan<byte> scalarBigEndian)
    {
        if (point.IsInfinity) return point;
        var k = new BigInteger(scalarBigEndian, isUnsigned: true, isBigEndian: true) % R;
        if (k.IsZero) return JacobianPoint<Fp>.Infinity;

        // k = k1 + k2·λ (mod r) with |k1|, |k2| about sqrt(r): c_i = round(±b_j k / r), (k1, k2) = (k, 0) - c1 v1 - c2 v2.
        var c1 = RoundDiv(B2 * k, R);
        var c2 = RoundDiv(-B1 * k, R);
        var k1 = k - c1 * A1 - c2 * A2;
        var k2 = -c1 * B1 - c2 * B2;

        var p1 = k1.Sign < 0 ? Negate(point) : point;
        var p2 = Phi(point);
        if (k2.Sign < 0) p2 = Negate(p2);
        k1 = BigInteger.Abs(k1);
        k2 = BigInteger.Abs(k2);
        // The halves are about 127 bits; should a basis ever give longer ones, the plain multiplication is still right.
        if (k1.GetBitLength() > 128 || k2.GetBitLength() > 128) return JacobianPoint<Fp>.Multiply(point, scalarBigEndian);
        var e1 = (UInt128)k1;
        var e2 = (UInt128)k2;
        // Shamir's trick with 2-bit windows on both halves: a table of i·P1 + j·P2 (i, j < 4), then per window two
        // doublings and at most one addition, over about 128 bits instead of 256.
        var table = new JacobianPoint<Fp>[16];
        table[0] = JacobianPoint<Fp>.Infinity;
        for (int i = 0; i < 4; i++)
        {
            if (i > 0) table[i * 4] = i == 1 ? p1 : JacobianPoint<Fp>.Add(table[(i - 1) * 4], p1);
            for (int j = 1; j < 4; j++) table[i * 4 + j] = JacobianPoint<Fp>.Add(table[i * 4 + j - 1], p2);
        }

        var result = JacobianPoint<Fp>.Infinity;
        for (int bit = 126; bit >= 0; bit -= 2)
        {
            result = JacobianPoint<Fp>.Double(JacobianPoint<Fp>.Double(result));
            int index = (int)((e1 >> bit) & 3) * 4 + (int)((e2 >> bit) & 3);
            if (index != 0) result = JacobianPoint<Fp>.Add(result, table[index]);
        }
        return result;
    }

    /// <summary>φ(x, y) = (βx, y); on Jacobian coordinates X scales by β too.</summary>
    internal static JacobianPoint<Fp> Phi(in JacobianPoint<Fp> p) => new(Fp.Mul(p.X, Beta), p.Y, p.Z);

    private static JacobianPoint<Fp> Negate(in JacobianPoint<Fp> p) => new(p.X, Fp.Neg(p.Y), p.Z);

    private static bool SameAffine(in JacobianPoint<Fp> a, in JacobianPoint<Fp> b)
    {
        a.ToAffine(out var ax, out var ay);
        b.ToAffine(out var bx, out var by);
        return Fp.Eq(ax, bx) && Fp.Eq(ay, by);
    }

    private static BigInteger FindCubeRootOfUnity(BigInteger modulus, BigInteger prime)
    {
        for (int g = 2; ; g++)
        {
            var candidate = BigInteger.ModPow(g, (prime - 1) / 3, modulus);
            if (!candidate.IsOne) return candidate;
        }
    }

    private static BigInteger RoundDiv(BigInteger n, BigInteger d)
    {
        var q = BigInteger.DivRem(n, d, out var rem);
        if (2 * BigInteger.Abs(rem) >= d) q += n.Sign;
        return q;
    }

    /// <summary>floor(sqrt(n)) by Newton's iteration (a double's 53 bits are far too coarse for a 254-bit n).</summary>
    private static BigInteger Sqrt(BigInteger n)
    {
        var x = BigInteger.One << (int)((n.GetBitLength() + 1) / 2);
        while (true)
        {
            var y = (x + n / x) >> 1;
            if (y >= x) return x;
            x = y;
        }
    }

    private static byte[] ToBytes(BigInteger v)
    {
        var bytes = new byte[32];
        v.TryWriteBytes(bytes.AsSpan(32 - v.GetByteCount(isUnsigned: true)), out _, isUnsigned: true, isBigEndian: true);
        return bytes;
    }
}
