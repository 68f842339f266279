using System.Numerics;
using Pwr.Core;

namespace Pwr.Vm.Evm.Transactions;

/// <summary>The fields of an Ethereum transaction before signing (what <see cref="TransactionSigner"/> signs).</summary>
public record UnsignedTransaction
{
    public EthereumTransactionType Type { get; init; } = EthereumTransactionType.DynamicFee;

    /// <summary>EIP-155 chain id; null only for a pre-EIP-155 legacy transaction (v = 27 or 28).</summary>
    public ulong? ChainId { get; init; }

    public ulong Nonce { get; init; }

    /// <summary>Gas price of legacy and EIP-2930 transactions.</summary>
    public BigInteger GasPrice { get; init; }

    /// <summary>EIP-1559 priority fee (tip) per gas.</summary>
    public BigInteger MaxPriorityFeePerGas { get; init; }

    /// <summary>EIP-1559 fee cap per gas.</summary>
    public BigInteger MaxFeePerGas { get; init; }

    public ulong GasLimit { get; init; }

    /// <summary>Recipient; null creates a contract.</summary>
    public Address? To { get; init; }

    public BigInteger Value { get; init; }

    public byte[] Data { get; init; } = [];

    public IReadOnlyList<AccessListItem> AccessList { get; init; } = [];

    public bool IsContractCreation => To is null;

    /// <summary>The price a legacy or EIP-2930 transaction pays, or the fee cap of an EIP-1559 one: the most it can pay per gas.</summary>
    public BigInteger MaxPricePerGas => Type == EthereumTransactionType.DynamicFee ? MaxFeePerGas : GasPrice;
}
