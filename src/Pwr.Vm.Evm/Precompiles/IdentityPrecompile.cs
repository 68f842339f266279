namespace Pwr.Vm.Evm.Precompiles;

/// <summary>0x04: returns its input; 15 gas plus 3 per word.</summary>
internal static class IdentityPrecompile
{
    public static PrecompileResult Run(ReadOnlySpan<byte> input, long gas)
    {
        long cost = 15 + 3 * PrecompileInput.Words(input.Length);
        if (cost > gas) return PrecompileResult.Failure(gas);
        return new PrecompileResult(true, cost, input.ToArray());
    }
}
