using Pwr.Core;
using Pwr.Vm.Evm.Execution;

namespace Pwr.Vm.Evm.Vm;

/// <summary>A log with where it was emitted: block, transaction and its block-wide log index.</summary>
public sealed record EvmLog(LogEntry Log, ulong BlockNumber, Hash32 BlockHash, Hash32 TransactionHash, uint TransactionIndex, uint LogIndex);
