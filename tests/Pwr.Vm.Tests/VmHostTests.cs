using System.Diagnostics;
using Pwr.Core;
using Pwr.Vm.Token;

namespace Pwr.Vm.Tests;

public sealed class VmHostTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private static readonly VmHostOptions Fast = new() { PollInterval = TimeSpan.FromMilliseconds(20), SourceRetryDelay = TimeSpan.FromMilliseconds(20) };

    [Fact]
    public async Task Host_applies_every_block_in_order_and_records_each_root()
    {
        using var dir = new TempDirectory();
        var source = new MemoryBlockSource();
        source.AddMany(TestData.TransferBlocks(blocks: 30, txPerBlock: 10));
        using var store = VmStore.Open(dir.Path);
        var vm = new RecordingVm(new TokenVm(TestData.TokenVmId));
        await using var host = new VmHost(vm, store, source, Fast);
        host.Start();
        await host.WaitForHeightAsync(30).WaitAsync(Timeout);

        Assert.Equal(Enumerable.Range(1, 30).Select(n => (ulong)n), vm.Executed);
        for (ulong n = 1; n <= 30; n++) Assert.True(host.TryGetRoot(n, out _), $"no root for {n}");
        Assert.True(host.TryGetRoot(30, out var last));
        Assert.Equal(host.Root, last);
        var status = host.GetStatus();
        Assert.Equal(VmHostState.Running, status.State);
        Assert.Equal(30UL, status.BlocksApplied);
        Assert.Equal(0UL, status.Lag);
    }

    [Fact]
    public async Task Two_hosts_fed_the_same_blocks_have_identical_roots()
    {
        using var dir = new TempDirectory();
        var source = new MemoryBlockSource();
        source.AddMany(TestData.TransferBlocks(blocks: 40, txPerBlock: 20));
        using var storeA = VmStore.Open(dir.Sub("a"));
        using var storeB = VmStore.Open(dir.Sub("b"));
        await using var a = new VmHost(new TokenVm(TestData.TokenVmId), storeA, source, Fast);
        await using var b = new VmHost(new TokenVm(TestData.TokenVmId), storeB, source, Fast with { MaxBlocksPerFetch = 7 });
        a.Start();
        b.Start();
        await Task.WhenAll(a.WaitForHeightAsync(40), b.WaitForHeightAsync(40)).WaitAsync(Timeout);
        for (ulong n = 1; n <= 40; n++)
        {
            Assert.True(a.TryGetRoot(n, out var ra));
            Assert.True(b.TryGetRoot(n, out var rb));
            Assert.Equal(ra, rb);
        }
        Assert.Equal(TokenVm.BalanceOf(storeA, "PWRT", TestData.Account(5)), TokenVm.BalanceOf(storeB, "PWRT", TestData.Account(5)));
    }

    [Fact]
    public async Task Root_differs_when_one_transaction_differs()
    {
        using var dir = new TempDirectory();
        var blocks = TestData.TransferBlocks(blocks: 10, txPerBlock: 5).ToList();
        var changed = blocks.Select(b => b.ToArray()).ToList();
        changed[6][2] = TestData.Tx(TestData.Account(0), TokenPayload.Transfer("PWRT", TestData.Account(9), 12345), 2);
        var sourceA = new MemoryBlockSource();
        var sourceB = new MemoryBlockSource();
        sourceA.AddMany(blocks);
        sourceB.AddMany(changed);
        using var storeA = VmStore.Open(dir.Sub("a"));
        using var storeB = VmStore.Open(dir.Sub("b"));
        await using var a = new VmHost(new TokenVm(TestData.TokenVmId), storeA, sourceA, Fast);
        await using var b = new VmHost(new TokenVm(TestData.TokenVmId), storeB, sourceB, Fast);
        a.Start();
        b.Start();
        await Task.WhenAll(a.WaitForHeightAsync(10), b.WaitForHeightAsync(10)).WaitAsync(Timeout);
        for (ulong n = 1; n <= 10; n++)
        {
            a.TryGetRoot(n, out var ra);
            b.TryGetRoot(n, out var rb);
            if (n < 7) Assert.Equal(ra, rb);
            else Assert.NotEqual(ra, rb);
        }
    }

    [Fact]
    public async Task Host_resumes_from_checkpoint_after_restart_and_ends_at_the_uninterrupted_root()
    {
        using var dir = new TempDirectory();
        var all = TestData.TransferBlocks(blocks: 60, txPerBlock: 10).ToList();

        var full = new MemoryBlockSource();
        full.AddMany(all);
        Hash32 expected;
        using (var store = VmStore.Open(dir.Sub("uninterrupted")))
        {
            await using var host = new VmHost(new TokenVm(TestData.TokenVmId), store, full, Fast);
            host.Start();
            await host.WaitForHeightAsync(60).WaitAsync(Timeout);
            expected = host.Root;
        }

        var growing = new MemoryBlockSource();
        var vm = new RecordingVm(new TokenVm(TestData.TokenVmId));
        for (int part = 0; part < 3; part++)
        {
            growing.AddMany(all.Skip(part * 20).Take(20));
            using var store = VmStore.Open(dir.Sub("restarted"));
            Assert.Equal((ulong)(part * 20), store.Height);
            await using var host = new VmHost(vm, store, growing, Fast);
            host.Start();
            await host.WaitForHeightAsync((ulong)(part + 1) * 20).WaitAsync(Timeout);
            Assert.Equal(20UL, host.GetStatus().BlocksApplied);
        }
        using (var reopened = VmStore.Open(dir.Sub("restarted")))
        {
            Assert.Equal(new VmCheckpoint(60, expected), reopened.Checkpoint);
        }
        Assert.Equal(Enumerable.Range(1, 60).Select(n => (ulong)n), vm.Executed);
    }

    [Fact]
    public async Task Throwing_vm_halts_with_the_error_recorded_and_does_not_affect_another_host()
    {
        using var dir = new TempDirectory();
        var source = new MemoryBlockSource();
        source.AddMany(TestData.TransferBlocks(blocks: 8, txPerBlock: 3));
        using var badStore = VmStore.Open(dir.Sub("bad"));
        using var goodStore = VmStore.Open(dir.Sub("good"));
        await using var bad = new VmHost(new ThrowingVm(failAt: 3), badStore, source, Fast);
        await using var good = new VmHost(new TokenVm(TestData.TokenVmId), goodStore, source, Fast);
        bad.Start();
        good.Start();

        var failure = await Assert.ThrowsAsync<InvalidOperationException>(() => bad.WaitForHeightAsync(8).WaitAsync(Timeout));
        Assert.Contains("boom at 3", failure.Message);
        var status = bad.GetStatus();
        Assert.Equal(VmHostState.Halted, status.State);
        Assert.Equal(2UL, status.Height);
        Assert.Equal(3UL, status.LastErrorBlock);
        Assert.Equal(1L, status.ErrorCount);
        Assert.Contains("boom at 3", status.LastError);
        Assert.Null(badStore.Get(BitConverter.GetBytes(3UL)));

        await good.WaitForHeightAsync(8).WaitAsync(Timeout);
        source.Add();
        await good.WaitForHeightAsync(9).WaitAsync(Timeout);
        Assert.Equal(2UL, bad.Height);
        Assert.Equal(VmHostState.Running, good.State);
    }

    [Fact]
    public async Task Slow_vm_never_blocks_height_notifications()
    {
        using var dir = new TempDirectory();
        var source = new MemoryBlockSource();
        source.Add();
        using var store = VmStore.Open(dir.Path);
        var vm = new GatedVm();
        await using var host = new VmHost(vm, store, source, Fast with { NotificationCapacity = 4 });
        host.Start();
        Assert.True(vm.Entered.Wait(Timeout), "the VM never started block 1");

        var watch = Stopwatch.StartNew();
        for (ulong h = 2; h < 100_000; h++) host.NotifyNewHeight(h);
        for (int i = 0; i < 200; i++) source.Add(); // the producer raises HeightAdvanced too
        watch.Stop();
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"notifying took {watch.Elapsed}");
        Assert.Equal(0UL, host.Height);
        Assert.True(host.GetStatus().Lag >= 200);

        vm.Gate.Set();
        await host.WaitForHeightAsync(201).WaitAsync(Timeout);
    }

    [Fact]
    public async Task Pushed_height_wakes_the_host_without_polling()
    {
        using var dir = new TempDirectory();
        var source = new MemoryBlockSource();
        using var store = VmStore.Open(dir.Path);
        await using var host = new VmHost(new TokenVm(TestData.TokenVmId), store, source, new VmHostOptions { PollInterval = TimeSpan.FromHours(1) });
        host.Start();
        await Task.Delay(100);
        foreach (var txs in TestData.TransferBlocks(blocks: 3, txPerBlock: 2))
        {
            var block = source.Add(txs);
            await host.WaitForHeightAsync(block.Number).WaitAsync(Timeout);
        }
        Assert.Equal(3UL, host.Height);
    }

    [Fact]
    public async Task Source_failure_is_counted_and_retried_without_halting()
    {
        using var dir = new TempDirectory();
        var source = new MemoryBlockSource();
        source.AddMany(TestData.TransferBlocks(blocks: 5, txPerBlock: 2));
        source.FailNext(2);
        using var store = VmStore.Open(dir.Path);
        await using var host = new VmHost(new TokenVm(TestData.TokenVmId), store, source, Fast);
        host.Start();
        await host.WaitForHeightAsync(5).WaitAsync(Timeout);
        var status = host.GetStatus();
        Assert.Equal(VmHostState.Running, status.State);
        Assert.Equal(2L, status.ErrorCount);
        Assert.StartsWith("block source:", status.LastError);
        Assert.Null(status.LastErrorBlock);
    }

    [Fact]
    public async Task Stopped_host_fails_pending_waits_and_keeps_its_checkpoint()
    {
        using var dir = new TempDirectory();
        var source = new MemoryBlockSource();
        source.AddMany(TestData.TransferBlocks(blocks: 3, txPerBlock: 2));
        using var store = VmStore.Open(dir.Path);
        var host = new VmHost(new TokenVm(TestData.TokenVmId), store, source, Fast);
        host.Start();
        await host.WaitForHeightAsync(3).WaitAsync(Timeout);
        var pending = host.WaitForHeightAsync(10);
        await host.StopAsync().WaitAsync(Timeout);
        await Assert.ThrowsAsync<InvalidOperationException>(() => pending);
        Assert.Equal(VmHostState.Stopped, host.State);
        Assert.Equal(3UL, store.Height);
        host.Dispose(); // stopping twice is harmless
    }
}
