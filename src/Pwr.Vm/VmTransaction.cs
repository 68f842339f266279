using Pwr.Core;

namespace Pwr.Vm;

/// <summary>A VmData transaction captured by a VM: sender, PWR value moved to the VM, payload, base-layer hash and position.</summary>
public sealed record VmTransaction(Address Sender, ulong Value, ReadOnlyMemory<byte> Data, Hash32 TxHash, uint Position);
