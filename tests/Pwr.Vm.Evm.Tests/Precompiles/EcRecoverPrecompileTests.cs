using System.Numerics;
using Pwr.Core;
using Pwr.Vm.Evm.Precompiles;

namespace Pwr.Vm.Evm.Tests.Precompiles;

public class EcRecoverPrecompileTests
{
    private static readonly BigInteger N = BigInteger.Parse("0fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141", System.Globalization.NumberStyles.HexNumber);

    // The ethereum/tests CallEcrecover0 signature, made by the well-known test key of 0xa94f5374fce5edbc8e2a8697c15331677e6ebf0b.
    private const string Hash = "18c547e4f7b0f325ad1e56f57e26c745b09a3e503d86e00e5255ff7f715d3d1c";
    private const string R = "73b1693892219d736caba55bdb67216e485557ea6b6af75f37096c9aa6a5a75f";
    private const string S = "eeb940b1d03b21e36b0e47e79769f095fe2ab855bd91e3a38756b7d75a9c4549";
    private const string Signer = "000000000000000000000000a94f5374fce5edbc8e2a8697c15331677e6ebf0b";

    private static string Word(BigInteger v) => Convert.ToHexStringLower(v.ToByteArray(isUnsigned: true, isBigEndian: true)).PadLeft(64, '0');

    private static PrecompileResult Run(string hex, long gas = 100_000) => PrecompileSet.Run(1, Convert.FromHexString(hex), gas);

    private static void AssertInvalidSignature(PrecompileResult result)
    {
        Assert.True(result.Success);
        Assert.Equal(3000, result.GasUsed);
        Assert.Empty(result.Output);
    }

    [Fact]
    public void Recovers_the_signer_address_left_padded_for_3000_gas()
    {
        var result = Run(Hash + Word(28) + R + S);
        Assert.True(result.Success);
        Assert.Equal(3000, result.GasUsed);
        Assert.Equal(Signer, Convert.ToHexStringLower(result.Output));
    }

    [Fact]
    public void Recovers_a_freshly_signed_hash_and_its_high_s_twin()
    {
        var key = Convert.FromHexString("4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318");
        var hash = Keccak.Hash256("pwr"u8).ToArray();
        var signature = Secp256k1.Sign(hash, key, out int recoveryId);
        var pub = Secp256k1.PublicKey(key);
        var expected = new byte[32];
        Keccak.Hash256(pub).ToArray().AsSpan(12).CopyTo(expected.AsSpan(12));

        string h = Convert.ToHexString(hash), r = Convert.ToHexString(signature, 0, 32);
        var s = new BigInteger(signature.AsSpan(32), isUnsigned: true, isBigEndian: true);
        Assert.Equal(expected, Run(h + Word(27 + recoveryId) + r + Word(s)).Output);
        // (r, n - s) with the other parity is the same signature; the precompile, unlike transactions, accepts high s.
        Assert.Equal(expected, Run(h + Word(28 - recoveryId) + r + Word(N - s)).Output);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(26)]
    [InlineData(29)]
    public void V_other_than_27_or_28_gives_empty_output(int v) => AssertInvalidSignature(Run(Hash + Word(v) + R + S));

    [Fact]
    public void V_must_be_the_whole_word_not_just_its_last_byte()
        => AssertInvalidSignature(Run(Hash + Word(BigInteger.One << 255 | 28) + R + S));

    [Fact]
    public void R_or_s_of_zero_or_at_least_the_order_gives_empty_output()
    {
        AssertInvalidSignature(Run(Hash + Word(28) + Word(0) + S));
        AssertInvalidSignature(Run(Hash + Word(28) + R + Word(0)));
        AssertInvalidSignature(Run(Hash + Word(28) + Word(N) + S));
        AssertInvalidSignature(Run(Hash + Word(28) + R + Word(N)));
    }

    [Fact]
    public void Empty_input_gives_empty_output() => AssertInvalidSignature(Run(""));

    [Fact]
    public void Bytes_past_128_are_ignored()
        => Assert.Equal(Signer, Convert.ToHexStringLower(Run(Hash + Word(28) + R + S + "ffff").Output));

    [Fact]
    public void Short_input_is_padded_with_zeros_so_s_becomes_zero()
        => AssertInvalidSignature(Run(Hash + Word(28) + R));

    [Fact]
    public void With_2999_gas_the_call_fails()
        => Assert.Equal(PrecompileResult.Failure(2999), Run(Hash + Word(28) + R + S, 2999));
}
