using System.Numerics;
using Pwr.Vm.Evm.Precompiles;
using Pwr.Vm.Evm.Precompiles.Bn254;

namespace Pwr.Vm.Evm.Tests.Precompiles;

public class Bn254PrecompileTests
{
    private static readonly BigInteger P = Bn254Constants.P;
    private static readonly BigInteger R = Bn254Constants.R;

    // G2 generator (EIP-197), x = x_re + x_im u, y likewise.
    private static readonly BigInteger G2XRe = BigInteger.Parse("10857046999023057135944570762232829481370756359578518086990519993285655852781");
    private static readonly BigInteger G2XIm = BigInteger.Parse("11559732032986387107991004021392285783925812861821192530917403151452391805634");
    private static readonly BigInteger G2YRe = BigInteger.Parse("8495653923123431417604973247489272438418190587263600148770280649306958101930");
    private static readonly BigInteger G2YIm = BigInteger.Parse("4082367875863433681332203403145435568316851327593401208105741076214120093531");

    // An independent, slow affine reference over BigInteger for G1 (y^2 = x^3 + 3); null is infinity.
    private static (BigInteger X, BigInteger Y)? RefAdd((BigInteger X, BigInteger Y)? a, (BigInteger X, BigInteger Y)? b)
    {
        if (a is null) return b;
        if (b is null) return a;
        var (x1, y1) = a.Value;
        var (x2, y2) = b.Value;
        BigInteger lambda;
        if (x1 == x2)
        {
            if ((y1 + y2) % P == 0) return null;
            lambda = 3 * x1 * x1 * BigInteger.ModPow(2 * y1, P - 2, P) % P;
        }
        else lambda = (y2 - y1 + P) * BigInteger.ModPow((x2 - x1 + P) % P, P - 2, P) % P;
        var x3 = ((lambda * lambda - x1 - x2) % P + 2 * P) % P;
        var y3 = ((lambda * (x1 - x3) - y1) % P + 2 * P) % P;
        return (x3, y3);
    }

    private static (BigInteger X, BigInteger Y)? RefMul((BigInteger X, BigInteger Y)? p, BigInteger k)
    {
        (BigInteger X, BigInteger Y)? result = null;
        for (long bit = (long)k.GetBitLength() - 1; bit >= 0; bit--)
        {
            result = RefAdd(result, result);
            if (!(k >> (int)bit).IsEven) result = RefAdd(result, p);
        }
        return result;
    }

    private static string Word(BigInteger v) => Convert.ToHexStringLower(v.ToByteArray(isUnsigned: true, isBigEndian: true)).PadLeft(64, '0');

    private static string G1((BigInteger X, BigInteger Y)? p) => p is null ? Word(0) + Word(0) : Word(p.Value.X) + Word(p.Value.Y);

    private static string G2(BigInteger xRe, BigInteger xIm, BigInteger yRe, BigInteger yIm) => Word(xIm) + Word(xRe) + Word(yIm) + Word(yRe);

    private static readonly string G2Gen = G2(G2XRe, G2XIm, G2YRe, G2YIm);

    private static (BigInteger X, BigInteger Y)? Gen1 => (1, 2);

    private static (BigInteger X, BigInteger Y)? Neg((BigInteger X, BigInteger Y)? p) => p is null ? null : (p.Value.X, (P - p.Value.Y) % P);

    private static PrecompileResult Run(int id, string hex, long gas = 10_000_000) => PrecompileSet.Run(id, Convert.FromHexString(hex), gas);

    private static string Hex(PrecompileResult r) => Convert.ToHexStringLower(r.Output);

    /// <summary>k·G2 as input encoding, computed with the library's own G2 arithmetic (tested against the G1 reference via pairings).</summary>
    private static string G2Mul(BigInteger k)
    {
        var g = JacobianPoint<Fp2>.FromAffine(Fp2.FromBigIntegers(G2XRe, G2XIm), Fp2.FromBigIntegers(G2YRe, G2YIm));
        var scalar = new byte[32];
        k.TryWriteBytes(scalar.AsSpan(32 - k.GetByteCount(true)), out _, true, true);
        JacobianPoint<Fp2>.Multiply(g, scalar).ToAffine(out var x, out var y);
        return G2(x.C0.ToBigInteger(), x.C1.ToBigInteger(), y.C0.ToBigInteger(), y.C1.ToBigInteger());
    }

    // ---- ecAdd (0x06) ----

    [Fact]
    public void Add_of_generator_to_itself_matches_the_reference_and_costs_150()
    {
        var result = Run(6, G1(Gen1) + G1(Gen1));
        Assert.True(result.Success);
        Assert.Equal(150, result.GasUsed);
        Assert.Equal(G1(RefAdd(Gen1, Gen1)), Hex(result));
        // Known value of 2G (EIP-196 era test suites).
        Assert.Equal(G1((BigInteger.Parse("1368015179489954701390400359078579693043519447331113978918064868415326638035"),
                         BigInteger.Parse("9918110051302171585080402603319702774565515993150576347155970296011118125764"))), Hex(result));
    }

    [Fact]
    public void Add_of_random_multiples_matches_the_reference()
    {
        var rng = new Random(5);
        for (int i = 0; i < 10; i++)
        {
            var a = RefMul(Gen1, rng.NextInt64());
            var b = RefMul(Gen1, rng.NextInt64());
            Assert.Equal(G1(RefAdd(a, b)), Hex(Run(6, G1(a) + G1(b))));
        }
    }

    [Fact]
    public void Add_with_infinity_returns_the_other_point()
    {
        Assert.Equal(G1(Gen1), Hex(Run(6, G1(null) + G1(Gen1))));
        Assert.Equal(G1(Gen1), Hex(Run(6, G1(Gen1) + G1(null))));
        Assert.Equal(G1(null), Hex(Run(6, "")));
    }

    [Fact]
    public void Add_of_a_point_and_its_negation_is_infinity()
        => Assert.Equal(G1(null), Hex(Run(6, G1(Gen1) + G1(Neg(Gen1)))));

    [Fact]
    public void Add_pads_short_input_and_ignores_bytes_past_128()
    {
        // Only G's x and y given: the second point reads as (0, 0).
        Assert.Equal(G1(Gen1), Hex(Run(6, G1(Gen1))));
        Assert.Equal(G1(RefAdd(Gen1, Gen1)), Hex(Run(6, G1(Gen1) + G1(Gen1) + "ff")));
    }

    [Fact]
    public void Add_rejects_a_point_not_on_the_curve()
        => Assert.Equal(PrecompileResult.Failure(1000), Run(6, Word(1) + Word(3) + G1(Gen1), 1000));

    [Fact]
    public void Add_rejects_a_coordinate_equal_to_p()
    {
        // (p + 1, 2) would be G modulo p, but encodings must be canonical.
        Assert.False(Run(6, Word(P + 1) + Word(2) + G1(null)).Success);
        Assert.False(Run(6, Word(1) + Word(P + 2) + G1(null)).Success);
    }

    [Fact]
    public void Add_with_149_gas_fails()
        => Assert.Equal(PrecompileResult.Failure(149), Run(6, G1(Gen1) + G1(Gen1), 149));

    // ---- ecMul (0x07) ----

    [Theory]
    [InlineData("2")]
    [InlineData("9")]
    [InlineData("21888242871839275222246405745257275088548364400416034343698204186575808495616")]
    [InlineData("115792089237316195423570985008687907853269984665640564039457584007913129639935")]
    public void Mul_matches_the_reference_and_costs_6000(string scalar)
    {
        var k = BigInteger.Parse(scalar);
        var result = Run(7, G1(Gen1) + Word(k));
        Assert.True(result.Success);
        Assert.Equal(6000, result.GasUsed);
        Assert.Equal(G1(RefMul(Gen1, k % R)), Hex(result));
    }

    [Fact]
    public void Mul_by_zero_or_the_group_order_is_infinity()
    {
        Assert.Equal(G1(null), Hex(Run(7, G1(Gen1) + Word(0))));
        Assert.Equal(G1(null), Hex(Run(7, G1(Gen1) + Word(R))));
        Assert.Equal(G1(Gen1), Hex(Run(7, G1(Gen1) + Word(R + 1))));
    }

    [Fact]
    public void Mul_of_infinity_is_infinity() => Assert.Equal(G1(null), Hex(Run(7, G1(null) + Word(12345))));

    [Fact]
    public void Mul_pads_a_short_scalar_on_the_right()
    {
        // Scalar given as the single byte 0x01: it reads as 0x0100..00 = 2^248.
        var result = Run(7, G1(Gen1) + "01");
        Assert.Equal(G1(RefMul(Gen1, BigInteger.Pow(2, 248))), Hex(result));
        Assert.Equal(G1(null), Hex(Run(7, G1(Gen1))));
    }

    [Fact]
    public void Mul_rejects_invalid_points_and_short_gas()
    {
        Assert.False(Run(7, Word(1) + Word(1) + Word(2)).Success);
        Assert.False(Run(7, Word(P) + Word(0) + Word(2)).Success);
        Assert.Equal(PrecompileResult.Failure(5999), Run(7, G1(Gen1) + Word(2), 5999));
    }

    // ---- ecPairing (0x08) ----

    [Fact]
    public void Pairing_of_empty_input_is_true_for_45000()
    {
        var result = Run(8, "");
        Assert.True(result.Success);
        Assert.Equal(45000, result.GasUsed);
        Assert.Equal(Word(1), Hex(result));
    }

    [Fact]
    public void Pairing_of_p_and_minus_p_with_the_same_q_is_true()
    {
        var result = Run(8, G1(Gen1) + G2Gen + G1(Neg(Gen1)) + G2Gen);
        Assert.True(result.Success);
        Assert.Equal(45000 + 2 * 34000, result.GasUsed);
        Assert.Equal(Word(1), Hex(result));
    }

    [Fact]
    public void Pairing_of_the_generators_alone_is_false()
    {
        var result = Run(8, G1(Gen1) + G2Gen);
        Assert.True(result.Success);
        Assert.Equal(79000, result.GasUsed);
        Assert.Equal(Word(0), Hex(result));
    }

    [Fact]
    public void Pairing_is_bilinear()
    {
        // e(a·G1, b·G2) · e(-(a·b)·G1, G2) = 1, and breaking the product by one makes it false.
        BigInteger a = 123456789, b = 987654321;
        var aG1 = RefMul(Gen1, a);
        var abG1 = RefMul(Gen1, a * b);
        Assert.Equal(Word(1), Hex(Run(8, G1(aG1) + G2Mul(b) + G1(Neg(abG1)) + G2Gen)));
        Assert.Equal(Word(0), Hex(Run(8, G1(aG1) + G2Mul(b) + G1(Neg(RefMul(Gen1, a * b + 1))) + G2Gen)));
        // The same identity with the scalar moved to G2 on the other side.
        Assert.Equal(Word(1), Hex(Run(8, G1(aG1) + G2Mul(b) + G1(Neg(Gen1)) + G2Mul(a * b))));
    }

    [Fact]
    public void Pairing_of_the_generators_has_order_r()
    {
        var e = Pairing.Pair(Fp.One, Fp.FromBigInteger(2), Fp2.FromBigIntegers(G2XRe, G2XIm), Fp2.FromBigIntegers(G2YRe, G2YIm));
        Assert.False(e.IsOne);
        Assert.True(Fp12.Pow(e, R).IsOne);
    }

    [Fact]
    public void Pairs_with_a_point_at_infinity_contribute_nothing()
    {
        Assert.Equal(Word(1), Hex(Run(8, G1(null) + G2Gen)));
        Assert.Equal(Word(1), Hex(Run(8, G1(Gen1) + new string('0', 256))));
        Assert.Equal(Word(0), Hex(Run(8, G1(null) + G2Gen + G1(Gen1) + G2Gen)));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(191)]
    [InlineData(193)]
    public void Pairing_input_length_must_be_a_multiple_of_192(int length)
        => Assert.Equal(PrecompileResult.Failure(1_000_000), PrecompileSet.Run(8, new byte[length], 1_000_000));

    [Fact]
    public void Pairing_with_too_little_gas_fails()
        => Assert.Equal(PrecompileResult.Failure(78999), Run(8, G1(Gen1) + G2Gen, 78999));

    [Fact]
    public void Pairing_rejects_a_g2_point_not_on_the_twist()
        => Assert.False(Run(8, G1(Gen1) + G2(G2XRe, G2XIm, G2YRe, G2YIm + 1)).Success);

    [Fact]
    public void Pairing_rejects_a_g2_coordinate_at_or_above_p()
    {
        Assert.False(Run(8, G1(Gen1) + G2(G2XRe, G2XIm + P, G2YRe, G2YIm)).Success);
        Assert.False(Run(8, G1(Gen1) + Word(0) + Word(0) + Word(P) + Word(0)).Success);
    }

    [Fact]
    public void Pairing_rejects_a_g1_point_not_on_the_curve()
        => Assert.False(Run(8, Word(1) + Word(3) + G2Gen).Success);

    [Fact]
    public void Pairing_rejects_a_twist_point_outside_the_order_r_subgroup()
    {
        var (x, y) = TwistPointOutsideSubgroup();
        Assert.False(Run(8, G1(Gen1) + G2(x.C0.ToBigInteger(), x.C1.ToBigInteger(), y.C0.ToBigInteger(), y.C1.ToBigInteger())).Success);
    }

    [Fact]
    public void Pairing_takes_g2_coordinates_imaginary_part_first()
    {
        // Swapping the halves of x gives a different Fp2 value, which is not on the twist.
        Assert.False(Run(8, G1(Gen1) + G2(G2XIm, G2XRe, G2YRe, G2YIm)).Success);
    }

    [Fact]
    public void Fast_multiplication_by_the_order_equals_the_plain_one_on_and_off_the_subgroup()
    {
        var order = new byte[32];
        R.TryWriteBytes(order, out _, true, true);
        int found = 0;
        for (int i = 1; found < 4; i++)
        {
            var x = Fp2.FromBigIntegers(i, 7);
            if (!TrySqrt(Fp2.Add(Fp2.Mul(Fp2.Square(x), x), Bn254Constants.TwistB), out var y)) continue;
            found++;
            var q = JacobianPoint<Fp2>.FromAffine(x, y);
            JacobianPoint<Fp2>.Multiply(q, order).ToAffine(out var px, out var py);
            var fast = Pwr.Vm.Evm.Precompiles.Bn254.G2.MultiplyByOrder(q);
            Assert.False(fast.IsInfinity);
            fast.ToAffine(out var fx, out var fy);
            Assert.True(Fp2.Eq(px, fx) && Fp2.Eq(py, fy));
        }
        Assert.True(Pwr.Vm.Evm.Precompiles.Bn254.G2.MultiplyByOrder(JacobianPoint<Fp2>.FromAffine(Fp2.FromBigIntegers(G2XRe, G2XIm), Fp2.FromBigIntegers(G2YRe, G2YIm))).IsInfinity);
    }

    /// <summary>The twist has order r·(2p - r), so its first point found by x = 1, 2, ... is all but surely outside G2.</summary>
    private static (Fp2 X, Fp2 Y) TwistPointOutsideSubgroup()
    {
        for (int i = 1; ; i++)
        {
            var x = Fp2.FromBigIntegers(i, 0);
            var rhs = Fp2.Add(Fp2.Mul(Fp2.Square(x), x), Bn254Constants.TwistB);
            if (!TrySqrt(rhs, out var y)) continue;
            Assert.True(JacobianPoint<Fp2>.IsOnCurve(x, y, Bn254Constants.TwistB));
            var order = new byte[32];
            R.TryWriteBytes(order, out _, true, true);
            Assert.False(JacobianPoint<Fp2>.Multiply(JacobianPoint<Fp2>.FromAffine(x, y), order).IsInfinity);
            return (x, y);
        }
    }

    // Square root in Fp2 for p ≡ 3 (mod 4) (Adj & Rodríguez-Henríquez, algorithm 9).
    private static bool TrySqrt(Fp2 a, out Fp2 root)
    {
        var a1 = Fp2.Pow(a, (P - 3) / 4);
        var alpha = Fp2.Mul(a1, Fp2.Mul(a1, a));
        var x0 = Fp2.Mul(a1, a);
        var minusOne = Fp2.Neg(Fp2.One);
        if (Fp2.Eq(alpha, minusOne)) root = Fp2.Mul(new Fp2(Fp.Zero, Fp.One), x0);
        else root = Fp2.Mul(Fp2.Pow(Fp2.Add(Fp2.One, alpha), (P - 1) / 2), x0);
        return Fp2.Eq(Fp2.Square(root), a);
    }

    [Fact]
    public void G2_generator_is_on_the_twist_and_has_order_r()
    {
        var x = Fp2.FromBigIntegers(G2XRe, G2XIm);
        var y = Fp2.FromBigIntegers(G2YRe, G2YIm);
        Assert.True(JacobianPoint<Fp2>.IsOnCurve(x, y, Bn254Constants.TwistB));
        Assert.True(Bn254Precompiles.TryReadG2(Convert.FromHexString(G2Gen), out var q));
        Assert.False(q.IsInfinity);
    }
}
