using Pwr.Core;
using Pwr.Vm.Evm.Numerics;

namespace Pwr.Vm.Evm.Execution;

/// <summary>An account as a state backend stores it: nonce, balance and the Keccak-256 of its code.</summary>
public readonly record struct AccountState(ulong Nonce, UInt256 Balance, Hash32 CodeHash)
{
    /// <summary>Keccak-256 of empty code.</summary>
    public static readonly Hash32 EmptyCodeHash = Hash32.Parse("0xc5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470");

    /// <summary>EIP-161 emptiness: no nonce, no balance, no code.</summary>
    public bool IsEmpty => Nonce == 0 && Balance.IsZero && CodeHash == EmptyCodeHash;
}
