using Pwr.Core;

namespace Pwr.Vm;

/// <summary>The last block a VM store has applied and the root after it; height 0 (nothing applied) has root zero.</summary>
public readonly record struct VmCheckpoint(ulong Height, Hash32 Root)
{
    public const int Size = 8 + Hash32.Size;
}
