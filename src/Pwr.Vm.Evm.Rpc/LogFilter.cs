using Pwr.Core;

namespace Pwr.Vm.Evm.Rpc;

/// <summary>Parsed eth_getLogs / eth_newFilter criteria: a block range (tags resolved when used) or one block hash, addresses and topics.</summary>
internal sealed record LogFilter(string? FromBlock, string? ToBlock, Hash32? BlockHash, IReadOnlyList<Address> Addresses, IReadOnlyList<IReadOnlyList<Hash32>?> Topics);
