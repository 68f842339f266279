namespace Pwr.Vm.Evm.Transactions;

/// <summary>EIP-2718 transaction types this EVM accepts (blob transactions, type 3, are not supported).</summary>
public enum EthereumTransactionType : byte
{
    Legacy = 0,
    /// <summary>EIP-2930: chain id and access list.</summary>
    AccessList = 1,
    /// <summary>EIP-1559: priority fee and fee cap.</summary>
    DynamicFee = 2,
}
