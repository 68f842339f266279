using Pwr.Core;
using Pwr.Vm.Evm.Numerics;

namespace Pwr.Vm.Evm.Vm;

/// <summary>The EVM chain's fixed parameters. They are part of the VM's rules: change one and every root changes.</summary>
public sealed class EvmVmOptions
{
    /// <summary>EIP-155 chain id; 31337 on the devnet, as Anvil and Hardhat use.</summary>
    public ulong ChainId { get; init; } = 31337;

    /// <summary>A fixed base fee (no EIP-1559 adjustment: the base layer, not gas, prices block space). 1 gwei, burned.</summary>
    public UInt256 BaseFee { get; init; } = new(1_000_000_000);

    /// <summary>Per-transaction gas limit cap and the block gas limit reported to clients.</summary>
    public long BlockGasLimit { get; init; } = 30_000_000;

    /// <summary>Receives the priority fees. Zero: there is no EVM block producer to pay.</summary>
    public Address Coinbase { get; init; } = Address.Zero;

    /// <summary>A deposit of 1 PWR unit (10^-9 PWR) credits this many wei: 1 PWR = 1 ETH of the EVM's native coin.</summary>
    public ulong WeiPerPwrUnit { get; init; } = 1_000_000_000;

    public void Validate()
    {
        if (ChainId == 0) throw new ArgumentException("ChainId must not be 0");
        if (BlockGasLimit < 21_000) throw new ArgumentException("BlockGasLimit must admit a transfer");
    }
}
