using Pwr.Core;

namespace Pwr.Vm.Tests;

public sealed class VmStoreSnapshotTests
{
    private static VmBlock Block(ulong n) => new(n, n * 1000, Keccak.Hash256(BitConverter.GetBytes(n)), []);

    [Fact]
    public void Restoring_a_snapshot_undoes_later_blocks_and_garbage_and_re_applying_gives_the_same_roots()
    {
        using var dir = new TempDirectory();
        using var store = VmStore.Open(dir.Sub("vm"));
        var vm = new KeyWriterVm(rootFrom: 1);
        var roots = new Dictionary<ulong, Hash32>();
        for (ulong n = 1; n <= 10; n++) roots[n] = store.ApplyBlock(vm, Block(n), sync: false);
        var saved = store.SaveSnapshot(dir.Sub("snapshot"));
        Assert.Equal(new VmCheckpoint(10, roots[10]), saved);
        Assert.Equal(saved, VmStore.ReadSnapshot(dir.Sub("snapshot")));

        for (ulong n = 11; n <= 15; n++) roots[n] = store.ApplyBlock(vm, Block(n), sync: false);
        var db = store.Database;
        db.Put(db.Family("state"), KeyWriterVm.Key(4), [0xBA, 0xD0]);
        db.Put(db.Family("buckets"), [0xFF, 0xFF, 0xFF, 0x00], new byte[32]);
        db.Put(db.Family("roots"), "garbage"u8, [1]);

        var restored = store.RestoreSnapshot(dir.Sub("snapshot"));
        Assert.Equal(saved, restored);
        Assert.Equal(10UL, store.Height);
        Assert.False(store.TryGetRoot(11, out _));
        Assert.Equal(BitConverter.GetBytes(4UL), store.Get(KeyWriterVm.Key(4)));
        Assert.Null(store.Get(KeyWriterVm.Key(11)));
        Assert.False(db.Has(db.Family("roots"), "garbage"u8));
        Assert.False(db.Has(db.Family("buckets"), [0xFF, 0xFF, 0xFF, 0x00]));

        for (ulong n = 11; n <= 15; n++) Assert.Equal(roots[n], store.ApplyBlock(vm, Block(n), sync: false));
    }

    [Fact]
    public void Restoring_without_a_snapshot_empties_the_store_to_height_zero()
    {
        using var dir = new TempDirectory();
        using var store = VmStore.Open(dir.Sub("vm"));
        var vm = new KeyWriterVm(rootFrom: 1);
        var first = store.ApplyBlock(vm, Block(1), sync: false);
        store.ApplyBlock(vm, Block(2), sync: false);

        Assert.Equal(default, store.RestoreSnapshot(null));
        Assert.Equal(0UL, store.Height);
        Assert.Null(store.Get(KeyWriterVm.Key(1)));
        Assert.Equal(first, store.ApplyBlock(vm, Block(1), sync: false));
    }
}
