using System.Text;
using Pwr.Vm.Evm.Precompiles;

namespace Pwr.Vm.Evm.Tests.Precompiles;

public class HashPrecompileTests
{
    private static byte[] Ascii(string s) => Encoding.ASCII.GetBytes(s);

    [Theory]
    [InlineData("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", 60)]
    [InlineData("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", 72)]
    public void Sha256_returns_the_digest_and_charges_60_plus_12_per_word(string text, string digest, long gas)
    {
        var result = PrecompileSet.Run(2, Ascii(text), 100_000);
        Assert.True(result.Success);
        Assert.Equal(gas, result.GasUsed);
        Assert.Equal(digest, Convert.ToHexStringLower(result.Output));
    }

    [Fact]
    public void Sha256_of_33_bytes_costs_two_words()
        => Assert.Equal(84, PrecompileSet.Run(2, new byte[33], 100).GasUsed);

    [Fact]
    public void Sha256_with_one_gas_too_few_fails_and_consumes_everything()
    {
        var result = PrecompileSet.Run(2, Ascii("abc"), 71);
        Assert.Equal(PrecompileResult.Failure(71), result);
    }

    [Theory]
    [InlineData("", "9c1185a5c5e9fc54612808977ee8f548b2258d31", 600)]
    [InlineData("abc", "8eb208f7e05d987a9b044a8e98c6b087f15a0bfc", 720)]
    public void Ripemd160_returns_the_digest_left_padded_to_a_word(string text, string digest, long gas)
    {
        var result = PrecompileSet.Run(3, Ascii(text), 100_000);
        Assert.True(result.Success);
        Assert.Equal(gas, result.GasUsed);
        Assert.Equal(new string('0', 24) + digest, Convert.ToHexStringLower(result.Output));
    }

    [Fact]
    public void Ripemd160_out_of_gas_fails()
        => Assert.False(PrecompileSet.Run(3, Ascii("abc"), 719).Success);

    [Fact]
    public void Identity_copies_its_input_for_15_plus_3_per_word()
    {
        var input = Enumerable.Range(0, 65).Select(i => (byte)i).ToArray();
        var result = PrecompileSet.Run(4, input, 24);
        Assert.True(result.Success);
        Assert.Equal(24, result.GasUsed);
        Assert.Equal(input, result.Output);
    }

    [Fact]
    public void Identity_of_empty_input_costs_15()
    {
        var result = PrecompileSet.Run(4, [], 15);
        Assert.Equal(new PrecompileResult(true, 15, []), result with { Output = [] });
        Assert.Empty(result.Output);
    }

    [Fact]
    public void Identity_out_of_gas_fails()
        => Assert.Equal(PrecompileResult.Failure(17), PrecompileSet.Run(4, new byte[1], 17));
}
