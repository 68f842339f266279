using System.Numerics;
using Pwr.Vm.Evm.Precompiles;

namespace Pwr.Vm.Evm.Tests.Precompiles;

public class ModExpPrecompileTests
{
    private const string Secp256k1P = "fffffffffffffffffffffffffffffffffffffffffffffffffffffffefffffc2f";
    private const string Secp256k1PMinus1 = "fffffffffffffffffffffffffffffffffffffffffffffffffffffffefffffc2e";

    private static string Len(long n) => n.ToString("x").PadLeft(64, '0');

    private static PrecompileResult Run(string hex, long gas = 10_000_000) => PrecompileSet.Run(5, Convert.FromHexString(hex), gas);

    [Fact]
    public void Eip198_fermat_example_returns_one_and_costs_1360()
    {
        // 3^(p-1) mod p = 1 for the secp256k1 prime; EIP-2565: 16 * 255 / 3 = 1360 gas.
        var result = Run(Len(1) + Len(32) + Len(32) + "03" + Secp256k1PMinus1 + Secp256k1P);
        Assert.True(result.Success);
        Assert.Equal(1360, result.GasUsed);
        Assert.Equal(Len(1), Convert.ToHexStringLower(result.Output));
    }

    [Fact]
    public void Eip198_zero_base_length_example_returns_zero()
    {
        var result = Run(Len(0) + Len(32) + Len(32) + Secp256k1PMinus1 + Secp256k1P);
        Assert.True(result.Success);
        Assert.Equal(1360, result.GasUsed);
        Assert.Equal(new byte[32], result.Output);
    }

    [Fact]
    public void Huge_exponent_length_with_empty_base_and_modulus_costs_the_minimum_and_returns_nothing()
    {
        // Esize = 2^256 - 1 but multiplication complexity is 0: EIP-198/2565 price this at the 200 floor.
        var result = Run(Len(0) + new string('f', 64) + Len(0));
        Assert.Equal(new PrecompileResult(true, 200, []), result with { Output = [] });
        Assert.Empty(result.Output);
    }

    [Fact]
    public void Huge_base_length_runs_out_of_gas_without_allocating()
        => Assert.Equal(PrecompileResult.Failure(10_000_000), Run("ff" + new string('0', 62) + Len(1) + Len(1)));

    [Fact]
    public void Huge_exponent_length_with_a_modulus_runs_out_of_gas()
        => Assert.False(Run(Len(1) + "01" + new string('0', 62) + Len(1) + "02" + "03" + "05").Success);

    [Fact]
    public void Zero_modulus_returns_zeros_of_the_modulus_length()
    {
        var result = Run(Len(1) + Len(1) + Len(32) + "05" + "03" + Len(0));
        Assert.True(result.Success);
        Assert.Equal(new byte[32], result.Output);
    }

    [Fact]
    public void Zero_to_the_zero_is_one()
        => Assert.Equal([1], Run(Len(1) + Len(1) + Len(1) + "00" + "00" + "07").Output);

    [Fact]
    public void Modulus_one_gives_zero()
        => Assert.Equal([0], Run(Len(1) + Len(1) + Len(1) + "02" + "03" + "01").Output);

    [Fact]
    public void Missing_input_bytes_read_as_zeros_on_the_right()
    {
        // Modulus declared 2 bytes but only "01" given: it is 0x0100 = 256; 3^5 mod 256 = 243.
        var result = Run(Len(1) + Len(1) + Len(2) + "03" + "05" + "01");
        Assert.True(result.Success);
        Assert.Equal([0, 243], result.Output);
    }

    [Fact]
    public void Output_is_left_padded_to_the_modulus_length()
        => Assert.Equal("0000000008", Convert.ToHexStringLower(Run(Len(1) + Len(1) + Len(5) + "02" + "03" + "00000000ff").Output));

    [Fact]
    public void Result_matches_biginteger_modpow_for_large_operands()
    {
        var rng = new Random(7);
        var b = new byte[100]; var e = new byte[40]; var m = new byte[120];
        rng.NextBytes(b); rng.NextBytes(e); rng.NextBytes(m);
        var result = Run(Len(100) + Len(40) + Len(120) + Convert.ToHexString(b) + Convert.ToHexString(e) + Convert.ToHexString(m));
        var expected = BigInteger.ModPow(new BigInteger(b, true, true), new BigInteger(e, true, true), new BigInteger(m, true, true));
        Assert.Equal(expected, new BigInteger(result.Output, true, true));
        Assert.Equal(120, result.Output.Length);
    }

    [Theory]
    // Empty everything: iterations are clamped to 1, complexity 0: the 200 floor.
    [InlineData(0, 0, 0, "", 200)]
    // 64-byte operands (8 words, complexity 64), 32-byte exponent with the top bit set: 64 * 255 / 3.
    [InlineData(64, 32, 64, "8000000000000000000000000000000000000000000000000000000000000000", 5440)]
    // 40-byte exponent whose first 32 bytes are zero: 8 * (40 - 32) = 64 iterations; 256-byte modulus: 1024 * 64 / 3.
    [InlineData(1, 40, 256, "0000000000000000000000000000000000000000000000000000000000000000", 21845)]
    // 33-byte exponent with head 0x01..: bit index 248 plus 8 for the extra byte.
    [InlineData(8, 33, 8, "0100000000000000000000000000000000000000000000000000000000000000", 200)]
    [InlineData(80, 33, 8, "0100000000000000000000000000000000000000000000000000000000000000", 100 * 256 / 3)]
    // Exponent 1: bit index 0, clamped to 1 iteration.
    [InlineData(512, 1, 512, "01", 64 * 64 / 3)]
    public void Gas_follows_eip2565(long b, long e, long m, string expHead, long expected)
    {
        var head = expHead.Length == 0 ? BigInteger.Zero : new BigInteger(Convert.FromHexString(expHead), true, true);
        Assert.Equal(expected, (long)ModExpPrecompile.Gas(b, e, m, head));
    }

    [Fact]
    public void Gas_reads_the_exponent_head_from_the_input()
    {
        // 2-byte base/modulus, 32-byte exponent 2^255: complexity 1, 255 iterations: 85 -> floor 200; with 80-byte operands 100 * 255 / 3.
        string exp = "80" + new string('0', 62);
        var result = Run(Len(80) + Len(32) + Len(80) + new string('0', 159) + "2" + exp + new string('0', 158) + "07");
        Assert.True(result.Success);
        Assert.Equal(100 * 255 / 3, result.GasUsed);
    }

    [Fact]
    public void Out_of_gas_by_one_fails()
        => Assert.Equal(PrecompileResult.Failure(1359), Run(Len(1) + Len(32) + Len(32) + "03" + Secp256k1PMinus1 + Secp256k1P, 1359));
}
