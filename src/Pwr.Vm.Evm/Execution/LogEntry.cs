using Pwr.Core;

namespace Pwr.Vm.Evm.Execution;

/// <summary>One LOG0..LOG4 record: emitting contract, topics and data.</summary>
public sealed record LogEntry(Address Address, Hash32[] Topics, byte[] Data);
