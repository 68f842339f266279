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
        1 => EcRecoverPrecompile.Run(input, gas),
        2 => Sha256Precompile.Run(input, gas),
        3 => Ripemd160Precompile.Run(input, gas),
        4 => IdentityPrecompile.Run(input, gas),
        5 => ModExpPrecompile.Run(input, gas),
        6 => Bn254Precompiles.Add(input, gas),
        7 => Bn254Precompiles.Mul(input, gas),
        8 => Bn254Precompiles.PairingCheck(input, gas),
        9 => Blake2fPrecompile.Run(input, gas),
        // 0x0a, KZG point evaluation (EIP-4844), is not supported: PWR carries no blobs and we ship no trusted setup,
        // so the call fails like an out-of-gas one (all gas consumed) instead of answering wrongly.
        // Unknown ids fail the same way.
        _ => PrecompileResult.Failure(gas),
    };
}
