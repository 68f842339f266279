using Pwr.Core;

namespace Pwr.Vm.Evm.Tracing;

/// <summary>A log emitted by a traced frame; <see cref="Position"/> is how many child calls the frame had made before it.</summary>
public sealed record CallLog(Address Address, IReadOnlyList<Hash32> Topics, byte[] Data, int Position);
