namespace Pwr.Vm.Evm.Precompiles;

/// <summary>The outcome of a precompile call: on failure all gas given is consumed and the output is empty.</summary>
public readonly record struct PrecompileResult(bool Success, long GasUsed, byte[] Output)
{
    public static PrecompileResult Failure(long gasGiven) => new(false, gasGiven, []);
}

/// <summary>Cancun's precompiled contracts at addresses 0x01..0x0a, dispatched by their last address byte.</summary>
public static class PrecompileSet
{
    /// <summary>Highest precompile address in Cancun (0x0a, KZG point evaluation).</summary>
    public const int Count = 10;

    /// <summary>True for the 20-byte addresses 0x00..01 through 0x00..0a.</summary>
    public static bool IsPrecompile(ReadOnlySpan<byte> address20)
    {
        if (address20.Length != 20 || address20[19] == 0 || address20[19] > Count) return false;
        return address20[..19].IndexOfAnyExcept((byte)0) < 0;
    }

    /// <summary>Runs precompile <paramref name="id"/> (1..10) on <paramref name="input"/> with <paramref name="gas"/> available.</summary>
    public static PrecompileResult Run(int id, ReadOnlySpan<byte> input, long gas) => id switch
    {
        // Filled in precompile by precompile; until then an unimplemented one fails like an out-of-gas call.
        _ => PrecompileResult.Failure(gas),
    };
}
