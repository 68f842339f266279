using Pwr.Core;

namespace Pwr.Vm.Evm.Transactions;

/// <summary>One EIP-2930 access-list entry: an address and the storage keys the transaction pre-warms.</summary>
public sealed record AccessListItem(Address Address, IReadOnlyList<Hash32> StorageKeys);
