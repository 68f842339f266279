using Pwr.Core;
using Pwr.Vm.Evm.Numerics;

namespace Pwr.Vm.Evm.Execution;

/// <summary>A decoded, sender-recovered Ethereum transaction as the executor runs it (types 0, 1, 2; type 3 is rejected).</summary>
public sealed record EvmTransaction
{
    /// <summary>EIP-2718 type: 0 legacy, 1 access list, 2 dynamic fee, 3 blob.</summary>
    public byte Type { get; init; }
    public Address Sender { get; init; }
    /// <summary>Recipient; null creates a contract.</summary>
    public Address? To { get; init; }
    public ulong Nonce { get; init; }
    public long GasLimit { get; init; }
    /// <summary>Gas price of type 0 and 1 transactions.</summary>
    public UInt256 GasPrice { get; init; }
    public UInt256 MaxFeePerGas { get; init; }
    public UInt256 MaxPriorityFeePerGas { get; init; }
    public UInt256 Value { get; init; }
    public byte[] Data { get; init; } = [];
    public IReadOnlyList<AccessListEntry> AccessList { get; init; } = [];
    /// <summary>Blob hashes of a type 3 transaction (blobs are not supported, so such a transaction is rejected).</summary>
    public IReadOnlyList<Hash32> BlobVersionedHashes { get; init; } = [];

    public bool IsCreate => To is null;
}

/// <summary>One EIP-2930 access-list item: an address and the storage keys to warm.</summary>
public sealed record AccessListEntry(Address Address, IReadOnlyList<UInt256> StorageKeys);
