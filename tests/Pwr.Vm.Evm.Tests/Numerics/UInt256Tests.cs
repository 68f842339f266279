using System.Numerics;
using Pwr.Vm.Evm.Numerics;

namespace Pwr.Vm.Evm.Tests.Numerics;

public class UInt256Tests
{
    private static readonly BigInteger Modulus = BigInteger.One << 256;
    private static readonly UInt256 Max = UInt256.MaxValue;
    private static readonly UInt256 MinSigned = new(0, 0, 0, 1UL << 63);

    private static UInt256 U(BigInteger v) => UInt256.FromBigInteger(((v % Modulus) + Modulus) % Modulus);
    private static BigInteger B(UInt256 v) => v.ToBigInteger();
    private static BigInteger Signed(UInt256 v) => v.IsNegative ? B(v) - Modulus : B(v);

    /// <summary>Deterministic operands: edge values plus pseudo-random ones of every limb length.</summary>
    public static IEnumerable<UInt256> Operands()
    {
        yield return UInt256.Zero;
        yield return UInt256.One;
        yield return new UInt256(2);
        yield return Max;
        yield return MinSigned;
        yield return new UInt256(ulong.MaxValue);
        yield return new UInt256(0, 1);
        yield return new UInt256(0, 0, 0, 1);
        yield return UInt256.Subtract(Max, UInt256.One);
        var rng = new Random(12345);
        for (int i = 0; i < 40; i++)
        {
            var limbs = new ulong[4];
            int used = 1 + i % 4;
            for (int l = 0; l < used; l++) limbs[l] = (ulong)rng.NextInt64() * 3 + (ulong)rng.Next();
            if (i % 7 == 0) limbs[used - 1] = 1;
            yield return new UInt256(limbs[0], limbs[1], limbs[2], limbs[3]);
        }
    }

    private static IEnumerable<(UInt256 A, UInt256 B)> Pairs()
    {
        var ops = Operands().ToList();
        foreach (var a in ops)
            foreach (var b in ops)
                yield return (a, b);
    }

    [Fact]
    public void Add_sub_mul_wrap_modulo_two_to_the_256()
    {
        foreach (var (a, b) in Pairs())
        {
            Assert.Equal(U(B(a) + B(b)), UInt256.Add(a, b));
            Assert.Equal(U(B(a) - B(b)), UInt256.Subtract(a, b));
            Assert.Equal(U(B(a) * B(b)), UInt256.Multiply(a, b));
        }
    }

    [Fact]
    public void Div_and_mod_match_big_integer_and_return_zero_for_zero_divisor()
    {
        foreach (var (a, b) in Pairs())
        {
            var q = UInt256.Divide(a, b);
            var r = UInt256.Modulo(a, b);
            Assert.Equal(b.IsZero ? UInt256.Zero : U(B(a) / B(b)), q);
            Assert.Equal(b.IsZero ? UInt256.Zero : U(B(a) % B(b)), r);
        }
    }

    [Fact]
    public void Sdiv_and_smod_truncate_toward_zero_and_keep_the_dividend_sign()
    {
        foreach (var (a, b) in Pairs())
        {
            var expectedQ = b.IsZero ? BigInteger.Zero : BigInteger.Divide(Signed(a), Signed(b));
            var expectedR = b.IsZero ? BigInteger.Zero : BigInteger.Remainder(Signed(a), Signed(b));
            Assert.Equal(U(expectedQ), UInt256.SignedDivide(a, b));
            Assert.Equal(U(expectedR), UInt256.SignedModulo(a, b));
        }
    }

    [Fact]
    public void Sdiv_of_min_by_minus_one_overflows_to_min()
    {
        Assert.Equal(MinSigned, UInt256.SignedDivide(MinSigned, Max));
        Assert.Equal(UInt256.Zero, UInt256.SignedModulo(MinSigned, Max));
    }

    [Fact]
    public void Addmod_and_mulmod_use_the_full_width_intermediate()
    {
        var ops = Operands().ToList();
        foreach (var (a, b) in Pairs())
        {
            foreach (var m in new[] { ops[3], ops[10], ops[20], ops[33], UInt256.Zero, new UInt256(7) })
            {
                Assert.Equal(m.IsZero ? UInt256.Zero : U((B(a) + B(b)) % B(m)), UInt256.AddMod(a, b, m));
                Assert.Equal(m.IsZero ? UInt256.Zero : U(B(a) * B(b) % B(m)), UInt256.MulMod(a, b, m));
            }
        }
    }

    [Fact]
    public void Exp_wraps_and_zero_to_the_zero_is_one()
    {
        Assert.Equal(UInt256.One, UInt256.Exp(UInt256.Zero, UInt256.Zero));
        foreach (var (a, b) in Pairs().Take(400))
            Assert.Equal(U(BigInteger.ModPow(B(a), B(b), Modulus)), UInt256.Exp(a, b));
    }

    [Fact]
    public void Signextend_extends_the_sign_bit_of_the_given_byte()
    {
        Assert.Equal(Max, UInt256.SignExtend(UInt256.Zero, new UInt256(0xff)));
        Assert.Equal(new UInt256(0x7f), UInt256.SignExtend(UInt256.Zero, new UInt256(0x017f)));
        Assert.Equal(UInt256.Subtract(UInt256.Zero, new UInt256(0x80)),
            UInt256.SignExtend(UInt256.Zero, new UInt256(0x80)));
        Assert.Equal(new UInt256(0x12345678), UInt256.SignExtend(new UInt256(31), new UInt256(0x12345678)));
        Assert.Equal(new UInt256(0x12345678), UInt256.SignExtend(Max, new UInt256(0x12345678)));
    }

    [Fact]
    public void Shifts_match_big_integer_and_saturate_at_256()
    {
        foreach (var a in Operands())
        {
            foreach (int s in new[] { 0, 1, 7, 63, 64, 65, 127, 128, 200, 255 })
            {
                Assert.Equal(U(B(a) << s), UInt256.ShiftLeft(a, s));
                Assert.Equal(U(B(a) >> s), UInt256.ShiftRight(a, s));
                Assert.Equal(U(Signed(a) >> s), UInt256.ShiftRightArithmetic(a, new UInt256((ulong)s)));
            }
            Assert.Equal(UInt256.Zero, UInt256.ShiftLeft(a, 256));
            Assert.Equal(a.IsNegative ? Max : UInt256.Zero, UInt256.ShiftRightArithmetic(a, new UInt256(0, 1)));
        }
    }

    [Fact]
    public void Byte_counts_from_the_most_significant_end()
    {
        var v = UInt256.Parse("0x0102030405060708091011121314151617181920212223242526272829303132");
        Assert.Equal(new UInt256(0x01), UInt256.Byte(UInt256.Zero, v));
        Assert.Equal(new UInt256(0x32), UInt256.Byte(new UInt256(31), v));
        Assert.Equal(new UInt256(0x09), UInt256.Byte(new UInt256(8), v));
        Assert.Equal(UInt256.Zero, UInt256.Byte(new UInt256(32), v));
        Assert.Equal(UInt256.Zero, UInt256.Byte(Max, v));
    }

    [Fact]
    public void Signed_comparison_orders_negative_below_positive()
    {
        Assert.True(UInt256.SignedLessThan(Max, UInt256.One));
        Assert.False(UInt256.SignedLessThan(UInt256.One, Max));
        Assert.True(UInt256.SignedLessThan(MinSigned, Max));
        Assert.True(UInt256.LessThan(UInt256.One, Max));
    }

    [Fact]
    public void Big_endian_round_trip_and_hex_parse()
    {
        foreach (var a in Operands())
        {
            Assert.Equal(a, new UInt256(a.ToBigEndian()));
            Assert.Equal(a, UInt256.Parse(a.ToString()));
        }
        Assert.Equal(new UInt256(0x1234), new UInt256(new byte[] { 0x12, 0x34 }));
    }
}
