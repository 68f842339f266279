using Pwr.Core;

namespace Pwr.Vm.Tests;

public sealed class VmStoreTests
{
    private static VmBlock Block(ulong n) => new(n, n * 1000, Hash32.Zero, []);

    [Fact]
    public void Empty_store_is_at_height_zero_with_zero_root()
    {
        using var dir = new TempDirectory();
        using var store = VmStore.Open(dir.Path);
        Assert.Equal(new VmCheckpoint(0, Hash32.Zero), store.Checkpoint);
        Assert.True(store.TryGetRoot(0, out var root));
        Assert.Equal(Hash32.Zero, root);
        Assert.False(store.TryGetRoot(1, out _));
    }

    [Fact]
    public void Block_out_of_order_is_rejected()
    {
        using var dir = new TempDirectory();
        using var store = VmStore.Open(dir.Path);
        var vm = new KeyWriterVm(1);
        Assert.Throws<ArgumentException>(() => store.ApplyBlock(vm, Block(2)));
        store.ApplyBlock(vm, Block(1));
        Assert.Throws<ArgumentException>(() => store.ApplyBlock(vm, Block(1)));
        Assert.Equal(1UL, store.Height);
    }

    [Fact]
    public void Reads_during_a_block_see_its_own_pending_writes_and_deletes()
    {
        using var dir = new TempDirectory();
        using var store = VmStore.Open(dir.Path);
        byte[]? afterSet = null, afterDelete = [9], committedDuring = [9];
        var vm = new LambdaVm((block, state) =>
        {
            state.Set("a"u8, "1"u8);
            afterSet = state.Get("a"u8);
            committedDuring = store.Get("a"u8);
            state.Set("b"u8, "2"u8);
            state.Delete("b"u8);
            afterDelete = state.Get("b"u8);
        });
        store.ApplyBlock(vm, Block(1));
        Assert.Equal("1"u8.ToArray(), afterSet);
        Assert.Null(committedDuring);
        Assert.Null(afterDelete);
        Assert.Equal("1"u8.ToArray(), store.Get("a"u8));
        Assert.Null(store.Get("b"u8));
    }

    [Fact]
    public void Failed_block_writes_nothing_and_keeps_the_checkpoint()
    {
        using var dir = new TempDirectory();
        using var store = VmStore.Open(dir.Path);
        var vm = new ThrowingVm(failAt: 2);
        var root1 = store.ApplyBlock(vm, Block(1));
        Assert.Throws<InvalidOperationException>(() => store.ApplyBlock(vm, Block(2)));
        Assert.Equal(new VmCheckpoint(1, root1), store.Checkpoint);
        Assert.Null(store.Get(BitConverter.GetBytes(2UL)));
        Assert.False(store.TryGetRoot(2, out _));
    }

    [Fact]
    public void Vm_that_never_asks_for_the_merkle_root_keeps_no_tree()
    {
        using var dir = new TempDirectory();
        using var store = VmStore.Open(dir.Path);
        var vm = new KeyWriterVm(rootFrom: ulong.MaxValue);
        for (ulong n = 1; n <= 5; n++) store.ApplyBlock(vm, Block(n));
        Assert.False(store.TreeActive);
        Assert.Equal(BitConverter.GetBytes(5UL), store.Get(KeyWriterVm.Key(5)));
    }

    [Fact]
    public void Vm_that_asks_for_the_root_late_gets_the_root_over_all_its_state()
    {
        using var dir = new TempDirectory();
        using var always = VmStore.Open(dir.Sub("always"));
        using var late = VmStore.Open(dir.Sub("late"));
        var alwaysVm = new KeyWriterVm(rootFrom: 1);
        var lateVm = new KeyWriterVm(rootFrom: 7);
        for (ulong n = 1; n <= 12; n++)
        {
            var a = always.ApplyBlock(alwaysVm, Block(n));
            var b = late.ApplyBlock(lateVm, Block(n));
            if (n >= 7) Assert.Equal(a, b);
        }
        Assert.True(late.TreeActive);
    }

    [Fact]
    public void Merkle_root_is_kept_across_reopen()
    {
        using var dir = new TempDirectory();
        var vm = new KeyWriterVm(rootFrom: 1);
        Hash32 expected;
        using (var uninterrupted = VmStore.Open(dir.Sub("a")))
        {
            for (ulong n = 1; n <= 10; n++) uninterrupted.ApplyBlock(vm, Block(n));
            expected = uninterrupted.Root;
        }
        for (ulong n = 1; n <= 10; n++)
        {
            using var store = VmStore.Open(dir.Sub("b"));
            Assert.Equal(n - 1, store.Height);
            store.ApplyBlock(vm, Block(n));
        }
        using var reopened = VmStore.Open(dir.Sub("b"));
        Assert.Equal(expected, reopened.Root);
    }

    private sealed class LambdaVm(Action<VmBlock, IVmState> execute) : IVirtualMachine
    {
        public ulong VmId => 1;
        public void ExecuteBlock(VmBlock block, IVmState state) => execute(block, state);
        public Hash32 StateRoot(IVmState state) => state.MerkleRoot();
    }
}
