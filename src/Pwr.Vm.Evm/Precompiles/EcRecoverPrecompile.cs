using Pwr.Core;

namespace Pwr.Vm.Evm.Precompiles;

/// <summary>0x01: the address that signed a hash, from hash‖v‖r‖s; 3000 gas; an invalid signature gives empty output, not failure.</summary>
internal static class EcRecoverPrecompile
{
    public const long Gas = 3000;

    public static PrecompileResult Run(ReadOnlySpan<byte> input, long gas)
    {
        if (Gas > gas) return PrecompileResult.Failure(gas);
        Span<byte> buffer = stackalloc byte[128];
        PrecompileInput.CopyPadded(input, 0, buffer);

        // v is a full 32-byte word that must be exactly 27 or 28: 31 zero bytes, then the value.
        var v = buffer.Slice(32, 32);
        if (v[..31].IndexOfAnyExcept((byte)0) >= 0 || (v[31] != 27 && v[31] != 28)) return Invalid();

        // TryRecover rejects r or s that are zero or not below the group order; high s is allowed (unlike transactions).
        Span<byte> publicKey = stackalloc byte[64];
        if (!Secp256k1.TryRecover(buffer[..32], buffer.Slice(64, 64), v[31] - 27, publicKey)) return Invalid();

        Span<byte> hash = stackalloc byte[32];
        Keccak.Hash256(publicKey, hash);
        var output = new byte[32];
        hash[12..].CopyTo(output.AsSpan(12));
        return new PrecompileResult(true, Gas, output);
    }

    private static PrecompileResult Invalid() => new(true, Gas, []);
}
