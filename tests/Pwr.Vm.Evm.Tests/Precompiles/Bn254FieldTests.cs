using System.Numerics;
using Pwr.Vm.Evm.Precompiles.Bn254;

namespace Pwr.Vm.Evm.Tests.Precompiles;

public class Bn254FieldTests
{
    private static readonly BigInteger P = BigInteger.Parse("21888242871839275222246405745257275088696311157297823662689037894645226208583");

    private static BigInteger RandomBelowP(Random rng)
    {
        var bytes = new byte[32];
        rng.NextBytes(bytes);
        return new BigInteger(bytes, isUnsigned: true) % P;
    }

    private static Fp2 RandomFp2(Random rng) => Fp2.FromBigIntegers(RandomBelowP(rng), RandomBelowP(rng));

    private static Fp6 RandomFp6(Random rng) => new(RandomFp2(rng), RandomFp2(rng), RandomFp2(rng));

    private static Fp12 RandomFp12(Random rng) => new(RandomFp6(rng), RandomFp6(rng));

    [Fact]
    public void Modulus_and_order_follow_from_the_bn_parameter()
    {
        var x = Bn254Constants.X;
        Assert.Equal(P, 36 * BigInteger.Pow(x, 4) + 36 * BigInteger.Pow(x, 3) + 24 * x * x + 6 * x + 1);
        Assert.Equal(BigInteger.Parse("21888242871839275222246405745257275088548364400416034343698204186575808495617"), Bn254Constants.R);
        Assert.Equal(BigInteger.Parse("29793968203157093288"), Bn254Constants.AteLoopCount);
    }

    [Fact]
    public void Montgomery_constants_match_their_definitions()
    {
        var pLimbs = new BigInteger(Fp.P0) | new BigInteger(Fp.P1) << 64 | new BigInteger(Fp.P2) << 128 | new BigInteger(Fp.P3) << 192;
        Assert.Equal(P, pLimbs);
        // Inv = -p^-1 mod 2^64, so Inv·p + 1 vanishes mod 2^64.
        Assert.Equal(BigInteger.Zero, (new BigInteger(Fp.Inv) * Fp.P0 + 1) % BigInteger.Pow(2, 64));
        Assert.Equal(BigInteger.One, Fp.One.ToBigInteger());
    }

    [Fact]
    public void Fp_arithmetic_matches_biginteger()
    {
        var rng = new Random(1);
        for (int i = 0; i < 200; i++)
        {
            var a = RandomBelowP(rng);
            var b = RandomBelowP(rng);
            var fa = Fp.FromBigInteger(a);
            var fb = Fp.FromBigInteger(b);
            Assert.Equal(a, fa.ToBigInteger());
            Assert.Equal((a + b) % P, Fp.Add(fa, fb).ToBigInteger());
            Assert.Equal(((a - b) % P + P) % P, Fp.Sub(fa, fb).ToBigInteger());
            Assert.Equal(a * b % P, Fp.Mul(fa, fb).ToBigInteger());
            Assert.Equal((P - a) % P, Fp.Neg(fa).ToBigInteger());
            if (!a.IsZero) Assert.Equal(BigInteger.ModPow(a, P - 2, P), Fp.Inverse(fa).ToBigInteger());
        }
    }

    [Fact]
    public void Fp_edge_values_multiply_correctly()
    {
        var pm1 = Fp.FromBigInteger(P - 1);
        Assert.Equal(BigInteger.One, Fp.Mul(pm1, pm1).ToBigInteger());
        Assert.Equal(P - 2, Fp.Add(pm1, pm1).ToBigInteger());
        Assert.True(Fp.Add(pm1, Fp.One).IsZero);
    }

    [Fact]
    public void Fp_inverse_agrees_with_fermat_on_edge_values()
    {
        foreach (var v in new[] { BigInteger.One, new BigInteger(2), P - 1, P - 2, (P + 1) / 2, BigInteger.Pow(2, 253) })
        {
            var a = Fp.FromBigInteger(v);
            Assert.True(Fp.Eq(Fp.InverseByFermat(a), Fp.Inverse(a)));
            Assert.True(Fp.Eq(Fp.One, Fp.Mul(a, Fp.Inverse(a))));
        }
        Assert.True(Fp.Inverse(Fp.Zero).IsZero);
    }

    [Fact]
    public void Fp_rejects_encodings_at_or_above_p()
    {
        var bytes = P.ToByteArray(isUnsigned: true, isBigEndian: true);
        Assert.False(Fp.TryRead(bytes, out _));
        Assert.False(Fp.TryRead(Enumerable.Repeat((byte)0xff, 32).ToArray(), out _));
        bytes[^1]--;
        Assert.True(Fp.TryRead(bytes, out var pm1));
        Assert.Equal(P - 1, pm1.ToBigInteger());
    }

    [Fact]
    public void Fp2_follows_u_squared_is_minus_one()
    {
        var u = new Fp2(Fp.Zero, Fp.One);
        Assert.True(Fp2.Eq(Fp2.Neg(Fp2.One), Fp2.Mul(u, u)));
        Assert.True(Fp2.Eq(Fp2.Square(u), Fp2.Mul(u, u)));
    }

    [Fact]
    public void Tower_inverses_and_squares_are_consistent()
    {
        var rng = new Random(2);
        for (int i = 0; i < 10; i++)
        {
            var a2 = RandomFp2(rng);
            Assert.True(Fp2.Eq(Fp2.One, Fp2.Mul(a2, Fp2.Inverse(a2))));
            Assert.True(Fp2.Eq(Fp2.Square(a2), Fp2.Mul(a2, a2)));
            Assert.True(Fp2.Eq(Fp2.MulByXi(a2), Fp2.Mul(a2, Bn254Constants.Xi)));

            var a6 = RandomFp6(rng);
            Assert.True(Fp6.Eq(Fp6.One, Fp6.Mul(a6, Fp6.Inverse(a6))));

            var a12 = RandomFp12(rng);
            var b12 = RandomFp12(rng);
            Assert.True(Fp12.Eq(Fp12.One, Fp12.Mul(a12, Fp12.Inverse(a12))));
            Assert.True(Fp12.Eq(Fp12.Square(a12), Fp12.Mul(a12, a12)));
            // Commutativity and associativity catch most slips in the Karatsuba formulas.
            Assert.True(Fp12.Eq(Fp12.Mul(a12, b12), Fp12.Mul(b12, a12)));
            var c12 = RandomFp12(rng);
            Assert.True(Fp12.Eq(Fp12.Mul(Fp12.Mul(a12, b12), c12), Fp12.Mul(a12, Fp12.Mul(b12, c12))));
        }
    }

    [Fact]
    public void Fp6_and_Fp12_reduce_by_their_defining_polynomials()
    {
        // v^3 = ξ in Fp6 and w^2 = v in Fp12.
        var v = new Fp6(Fp2.Zero, Fp2.One, Fp2.Zero);
        Assert.True(Fp6.Eq(new Fp6(Bn254Constants.Xi, Fp2.Zero, Fp2.Zero), Fp6.Mul(Fp6.Mul(v, v), v)));
        var w = new Fp12(Fp6.Zero, Fp6.One);
        Assert.True(Fp12.Eq(new Fp12(v, Fp6.Zero), Fp12.Mul(w, w)));
    }

    [Fact]
    public void Frobenius_is_the_p_th_power()
    {
        var a = RandomFp12(new Random(3));
        Assert.True(Fp12.Eq(Fp12.Pow(a, P), Fp12.Frobenius(a)));
    }

    [Fact]
    public void Hard_part_decomposition_in_powers_of_p_equals_the_hard_exponent()
    {
        var x = Bn254Constants.X;
        Assert.Equal(x, new BigInteger(Bn254Constants.XU64));
        var l2 = 6 * x * x + 1;
        var l1 = -36 * BigInteger.Pow(x, 3) - 18 * x * x - 12 * x + 1;
        var l0 = -36 * BigInteger.Pow(x, 3) - 30 * x * x - 18 * x - 2;
        Assert.Equal(BigInteger.Zero, (BigInteger.Pow(P, 4) - P * P + 1) % Bn254Constants.R);
        Assert.Equal(Bn254Constants.FinalExponentHard, l0 + l1 * P + l2 * P * P + BigInteger.Pow(P, 3));
    }

    [Fact]
    public void Final_exponentiation_equals_the_plain_power()
    {
        var f = RandomFp12(new Random(4));
        var easy = Fp12.Mul(Fp12.Conjugate(f), Fp12.Inverse(f));
        easy = Fp12.Mul(Fp12.Pow(easy, P * P), easy);
        Assert.True(Fp12.Eq(Fp12.Pow(easy, Bn254Constants.FinalExponentHard), Pairing.FinalExponentiation(f)));
    }

    [Fact]
    public void Cyclotomic_square_equals_the_general_square_on_unitary_elements()
    {
        var f = RandomFp12(new Random(6));
        // The easy part of the final exponentiation lands in the cyclotomic subgroup.
        var u = Fp12.Mul(Fp12.Conjugate(f), Fp12.Inverse(f));
        u = Fp12.Mul(Fp12.Frobenius(Fp12.Frobenius(u)), u);
        Assert.True(Fp12.Eq(Fp12.Square(u), Fp12.CyclotomicSquare(u)));
        Assert.True(Fp12.Eq(Fp12.Pow(u, 1234567UL), Fp12.CyclotomicPow(u, 1234567UL)));
    }
}
