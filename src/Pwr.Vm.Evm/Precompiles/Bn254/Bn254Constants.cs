using System.Numerics;

namespace Pwr.Vm.Evm.Precompiles.Bn254;

/// <summary>Curve parameters of bn254 (alt_bn128), derived once at start-up from the BN parameter x rather than pasted in.</summary>
internal static class Bn254Constants
{
    /// <summary>The BN parameter: p = 36x^4 + 36x^3 + 24x^2 + 6x + 1, r = 36x^4 + 36x^3 + 18x^2 + 6x + 1.</summary>
    public static readonly BigInteger X = 4965661367192848881;

    /// <summary>x as a machine word, for the final exponentiation's repeated powers.</summary>
    public const ulong XU64 = 4965661367192848881;

    public static readonly BigInteger P = Fp.Modulus;

    /// <summary>The prime order r of G1 and of the G2 subgroup.</summary>
    public static readonly BigInteger R = 36 * BigInteger.Pow(X, 4) + 36 * BigInteger.Pow(X, 3) + 18 * X * X + 6 * X + 1;

    /// <summary>r as 32 big-endian bytes: the plain [r]Q that <see cref="G2.MultiplyByOrder"/> is tested against.</summary>
    public static readonly byte[] OrderBytes = R.ToByteArray(isUnsigned: true, isBigEndian: true);

    /// <summary>The trace of Frobenius t = 6x^2 + 1 (r = p + 1 - t), 32 big-endian bytes, for the fast [r]Q on G2.</summary>
    public static readonly byte[] TraceBytes = Pad32((6 * X * X + 1).ToByteArray(isUnsigned: true, isBigEndian: true));

    /// <summary>The optimal ate Miller loop length 6x + 2.</summary>
    public static readonly BigInteger AteLoopCount = 6 * X + 2;

    /// <summary>The hard part of the final exponentiation, (p^4 - p^2 + 1) / r (computed through powers of x; tests use this).</summary>
    public static readonly BigInteger FinalExponentHard = (BigInteger.Pow(P, 4) - P * P + 1) / R;

    public static readonly Fp2 Xi = new(Fp.FromBigInteger(9), Fp.One);

    /// <summary>b' = 3 / ξ: the twist E': y^2 = x^3 + b' that carries G2.</summary>
    public static readonly Fp2 TwistB = Fp2.Mul(new Fp2(Fp.FromBigInteger(3), Fp.Zero), Fp2.Inverse(Xi));

    public static readonly Fp G1B = Fp.FromBigInteger(3);

    /// <summary>γ_i = ξ^(i(p-1)/6) for i = 0..5, the Frobenius coefficients of the w^i basis.</summary>
    public static readonly Fp2[] FrobeniusGamma = BuildGammas();

    private static byte[] Pad32(byte[] value)
    {
        var result = new byte[32];
        value.CopyTo(result, 32 - value.Length);
        return result;
    }

    private static Fp2[] BuildGammas()
    {
        var gammas = new Fp2[6];
        var baseGamma = Fp2.Pow(new Fp2(Fp.FromBigInteger(9), Fp.One), (Fp.Modulus - 1) / 6);
        gammas[0] = Fp2.One;
        for (int i = 1; i < 6; i++) gammas[i] = Fp2.Mul(gammas[i - 1], baseGamma);
        return gammas;
    }
}
