using System.Security.Cryptography;

namespace Pwr.Vm.Evm.Precompiles;

/// <summary>0x02: SHA-256 of the input; 60 gas plus 12 per word.</summary>
internal static class Sha256Precompile
{
    public static PrecompileResult Run(ReadOnlySpan<byte> input, long gas)
    {
        long cost = 60 + 12 * PrecompileInput.Words(input.Length);
        if (cost > gas) return PrecompileResult.Failure(gas);
        // .NET's SHA-256 (OpenSSL, SHA extensions where the CPU has them) is stateless and several times faster
        // than a managed digest; contracts hashing in loops feel it.
        var output = new byte[32];
        SHA256.HashData(input, output);
        return new PrecompileResult(true, cost, output);
    }
}
