using Pwr.Core;
using Pwr.Vm.Evm.Execution;
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

    /// <summary>The context EVM block <paramref name="number"/> runs in: these parameters, the finalized PWR block hash
    /// as PREVRANDAO (as unpredictable to senders as RANDAO, and the same on every replay) and BLOCKHASH over the EVM
    /// blocks before it. Execution, tracing replays and eth_call all build it here, so they cannot drift apart.</summary>
    public BlockContext BlockContext(ulong number, ulong timestamp, in Hash32 pwrBlockHash, EvmChainReader chain) => new()
    {
        Coinbase = Coinbase,
        Number = number,
        Timestamp = timestamp,
        GasLimit = BlockGasLimit,
        BaseFee = BaseFee,
        PrevRandao = new UInt256(pwrBlockHash.ToArray()),
        ChainId = ChainId,
        BlockHash = n => n < number && chain.GetBlock(n) is { } b ? b.Hash : Hash32.Zero,
    };

    public void Validate()
    {
        if (ChainId == 0) throw new ArgumentException("ChainId must not be 0");
        if (BlockGasLimit < 21_000) throw new ArgumentException("BlockGasLimit must admit a transfer");
    }
}
