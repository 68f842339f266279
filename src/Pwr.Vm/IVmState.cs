using Pwr.Core;

namespace Pwr.Vm;

/// <summary>
/// The state a VM executes one block against: reads see the block's own pending writes; the host commits the writes
/// together with the block's checkpoint in one atomic batch, or discards them all if the VM throws.
/// </summary>
public interface IVmState : IVmStateReader
{
    void Set(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value);

    void Delete(ReadOnlySpan<byte> key);

    /// <summary>
    /// Root of the host's binary Merkle commitment (<see cref="Pwr.Storage.StateTree"/>, DESIGN "VM host contract") over all
    /// keys, including this block's pending writes. Costs nothing for VMs that never call it (an EVM keeps its own trie).
    /// </summary>
    Hash32 MerkleRoot();
}
