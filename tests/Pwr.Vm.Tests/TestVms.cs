using System.Collections.Concurrent;
using Pwr.Core;

namespace Pwr.Vm.Tests;

/// <summary>Wraps a VM and records every block it executes, to show no block runs twice.</summary>
internal sealed class RecordingVm(IVirtualMachine inner) : IVirtualMachine
{
    public ConcurrentQueue<ulong> Executed { get; } = new();
    public ulong VmId => inner.VmId;
    public void ExecuteBlock(VmBlock block, IVmState state) { Executed.Enqueue(block.Number); inner.ExecuteBlock(block, state); }
    public Hash32 StateRoot(IVmState state) => inner.StateRoot(state);
}

/// <summary>Writes a key per block, then throws on one block: a VM with a bug.</summary>
internal sealed class ThrowingVm(ulong failAt) : IVirtualMachine
{
    public ulong VmId => 66;
    public void ExecuteBlock(VmBlock block, IVmState state)
    {
        state.Set(BitConverter.GetBytes(block.Number), [1]);
        if (block.Number == failAt) throw new InvalidOperationException($"boom at {block.Number}");
    }
    public Hash32 StateRoot(IVmState state) => state.MerkleRoot();
}

/// <summary>Blocks inside ExecuteBlock until released: a VM that is slow or stuck.</summary>
internal sealed class GatedVm : IVirtualMachine
{
    public ManualResetEventSlim Gate { get; } = new(false);
    public ManualResetEventSlim Entered { get; } = new(false);
    public ulong VmId => 55;
    public void ExecuteBlock(VmBlock block, IVmState state)
    {
        Entered.Set();
        Gate.Wait();
    }
    public Hash32 StateRoot(IVmState state) => state.MerkleRoot();
}

/// <summary>Writes key "k{n}" = n each block (and deletes one now and then); asks for the Merkle root only from block <c>rootFrom</c> on.</summary>
internal sealed class KeyWriterVm(ulong rootFrom) : IVirtualMachine
{
    private ulong _block;
    public ulong VmId => 44;
    public void ExecuteBlock(VmBlock block, IVmState state)
    {
        _block = block.Number;
        state.Set(Key(block.Number), BitConverter.GetBytes(block.Number));
        if (block.Number % 3 == 0) state.Delete(Key(block.Number - 1));
    }
    public Hash32 StateRoot(IVmState state) => _block >= rootFrom ? state.MerkleRoot() : Keccak.Hash256(BitConverter.GetBytes(_block));
    public static byte[] Key(ulong n) => System.Text.Encoding.ASCII.GetBytes("k" + n);
}
