using Pwr.Core;

namespace Pwr.Vm;

/// <summary>A virtual machine: deterministic rules that turn this VM's transactions of finalized blocks into state.</summary>
public interface IVirtualMachine
{
    ulong VmId { get; }

    /// <summary>Executes the VM's transactions of one finalized block, in block order, writing only through <paramref name="state"/>.</summary>
    void ExecuteBlock(VmBlock block, IVmState state);

    /// <summary>The commitment to the VM's state after the block; the host records it as the block's root.</summary>
    Hash32 StateRoot(IVmState state);
}
