namespace Pwr.Vm.Evm.Transactions;

/// <summary>Cancun intrinsic gas: what a transaction costs before its first instruction runs.</summary>
public static class IntrinsicGas
{
    public const ulong Transaction = 21_000;
    public const ulong ContractCreation = 53_000;
    public const ulong ZeroDataByte = 4;
    public const ulong NonZeroDataByte = 16; // EIP-2028
    public const ulong AccessListAddress = 2_400; // EIP-2930
    public const ulong AccessListStorageKey = 1_900;
    public const ulong InitCodeWord = 2; // EIP-3860
    /// <summary>EIP-3860 limit on contract-creation data: twice the EIP-170 code size limit.</summary>
    public const int MaxInitCodeSize = 49_152;

    public static ulong Compute(UnsignedTransaction transaction)
        => Compute(transaction.Data, transaction.IsContractCreation, transaction.AccessList);

    public static ulong Compute(ReadOnlySpan<byte> data, bool isContractCreation, IReadOnlyList<AccessListItem> accessList)
    {
        int keys = 0;
        foreach (var item in accessList) keys += item.StorageKeys.Count;
        return Compute(data, isContractCreation, accessList.Count, keys);
    }

    /// <summary>The rule itself, for any transaction shape (the decoder's and the executor's).</summary>
    public static ulong Compute(ReadOnlySpan<byte> data, bool isContractCreation, int accessListAddresses, int accessListStorageKeys)
    {
        ulong gas = isContractCreation ? ContractCreation : Transaction;
        int zeros = data.Count((byte)0);
        gas += (ulong)zeros * ZeroDataByte + (ulong)(data.Length - zeros) * NonZeroDataByte;
        if (isContractCreation) gas += InitCodeWord * (((ulong)data.Length + 31) / 32);
        gas += AccessListAddress * (ulong)accessListAddresses + AccessListStorageKey * (ulong)accessListStorageKeys;
        return gas;
    }
}
