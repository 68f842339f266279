using Org.BouncyCastle.Crypto.Digests;

namespace Pwr.Vm.Evm.Precompiles;

/// <summary>0x03: RIPEMD-160 of the input, left-padded to 32 bytes; 600 gas plus 120 per word.</summary>
internal static class Ripemd160Precompile
{
    [ThreadStatic] private static RipeMD160Digest? s_digest;

    public static PrecompileResult Run(ReadOnlySpan<byte> input, long gas)
    {
        long cost = 600 + 120 * PrecompileInput.Words(input.Length);
        if (cost > gas) return PrecompileResult.Failure(gas);
        var digest = s_digest ??= new RipeMD160Digest();
        digest.BlockUpdate(input);
        var output = new byte[32];
        digest.DoFinal(output.AsSpan(12));
        return new PrecompileResult(true, cost, output);
    }
}
