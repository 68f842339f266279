using Pwr.Core;

namespace Pwr.Vm;

/// <summary>One finalized base-layer block as a VM sees it: its header fields and this VM's transactions, in block order.</summary>
/// <remarks>Blocks with none of the VM's transactions still advance its height, so they come with an empty list.</remarks>
public sealed record VmBlock(ulong Number, ulong TimestampMs, Hash32 BlockHash, IReadOnlyList<VmTransaction> Transactions);
