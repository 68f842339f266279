using Org.BouncyCastle.Crypto.Digests;

namespace Pwr.Vm.Evm.Precompiles;

/// <summary>0x02: SHA-256 of the input; 60 gas plus 12 per word.</summary>
internal static class Sha256Precompile
{
    // BouncyCastle digests are stateful; one per thread avoids an allocation per call.
    [ThreadStatic] private static Sha256Digest? s_digest;

    public static PrecompileResult Run(ReadOnlySpan<byte> input, long gas)
    {
        long cost = 60 + 12 * PrecompileInput.Words(input.Length);
        if (cost > gas) return PrecompileResult.Failure(gas);
        var digest = s_digest ??= new Sha256Digest();
        digest.BlockUpdate(input);
        var output = new byte[32];
        digest.DoFinal(output);
        return new PrecompileResult(true, cost, output);
    }
}
