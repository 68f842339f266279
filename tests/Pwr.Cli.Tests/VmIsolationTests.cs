using System.Diagnostics;
using Microsoft.Extensions.Logging.Abstractions;
using Pwr.Cli.Tests.Infrastructure;
using Pwr.Core;
using Pwr.Vm;
using Pwr.Vm.Token;

namespace Pwr.Cli.Tests;

/// <summary>In-process devnet with misbehaving VMs beside the token VM (DESIGN "Isolation").</summary>
[Collection(DevnetCollection.Name)]
public sealed class VmIsolationTests
{
    private const ulong ThrowingVmId = 900, SleepingVmId = 901;

    [Fact]
    public async Task A_throwing_vm_halts_alone_and_a_slow_vm_only_lags_while_blocks_and_the_token_vm_keep_pace()
    {
        using var dir = new TempDir("isolation");
        int port = FreePort.Next();
        await using var devnet = await DevnetHost.StartAsync(new DevnetOptions
        {
            DataDir = dir.Sub("devnet"),
            BlockTime = TimeSpan.FromMilliseconds(200),
            ApiPort = port,
            Reset = true,
            ExtraVms = [new ThrowingVm(ThrowingVmId), new SleepingVm(SleepingVmId, TimeSpan.FromSeconds(2))],
        }, NullLoggerFactory.Instance);
        using var api = new NodeApi($"http://127.0.0.1:{port}");

        ulong start = await api.WaitForBlocksAsync(1, TimeSpan.FromSeconds(30));
        var clock = Stopwatch.StartNew();
        ulong maxTokenLag = 0;
        // The token VM has work meanwhile: a token and a transfer every 250 ms.
        var key = Keys.Dev(5);
        var hashes = new List<Hash32> { await api.BroadcastOkAsync(Txs.VmData(key, 0, DevnetHost.TokenVmId, TokenPayload.Create("ISO", 1_000))) };
        while (clock.Elapsed < TimeSpan.FromSeconds(3))
        {
            hashes.Add(await api.BroadcastOkAsync(Txs.VmData(key, (uint)hashes.Count, DevnetHost.TokenVmId, TokenPayload.Transfer("ISO", Keys.Dev(6).Address, 1))));
            var status = await api.VmStatusAsync(DevnetHost.TokenVmId);
            maxTokenLag = Math.Max(maxTokenLag, status.GetProperty("chainHeight").GetUInt64() - Math.Min(status.GetProperty("chainHeight").GetUInt64(), status.GetProperty("height").GetUInt64()));
            await Task.Delay(250);
        }
        ulong end = await api.BlocksCountAsync();
        double seconds = clock.Elapsed.TotalSeconds;

        // Block production keeps its 200 ms pace (15 blocks in 3 s; 10 allows for a loaded 2-core machine).
        Assert.True(end - start >= 10, $"only {end - start} blocks in {seconds:F1} s");
        Assert.True(maxTokenLag <= 2, $"the token VM lagged {maxTokenLag} blocks behind the chain");
        // Its transactions were applied as fast as they were finalized: every one changed its root.
        var first = await api.WaitForTransactionAsync(hashes[0], TimeSpan.FromSeconds(10));
        var last = await api.WaitForTransactionAsync(hashes[^1], TimeSpan.FromSeconds(10));
        ulong firstBlock = first.GetProperty("blockNumber").GetUInt64(), lastBlock = last.GetProperty("blockNumber").GetUInt64();
        await api.WaitForVmHeightAsync(DevnetHost.TokenVmId, lastBlock, TimeSpan.FromSeconds(2));
        Assert.True(hashes.Count >= 8, $"only {hashes.Count} token transactions were sent");
        Assert.NotEqual(await api.RootHashAsync(DevnetHost.TokenVmId, firstBlock - 1), await api.RootHashAsync(DevnetHost.TokenVmId, firstBlock));
        Assert.NotEqual(await api.RootHashAsync(DevnetHost.TokenVmId, lastBlock - 1), await api.RootHashAsync(DevnetHost.TokenVmId, lastBlock));

        Assert.Equal("halted", (await api.VmStatusAsync(ThrowingVmId)).GetProperty("status").GetString());
        var throwing = (await api.VmStatusAsync(ThrowingVmId)).GetProperty("host");
        Assert.Equal("Halted", throwing.GetProperty("state").GetString());
        Assert.Contains(ThrowingVm.Message, throwing.GetProperty("lastError").GetString());
        Assert.Equal(1UL, throwing.GetProperty("lastErrorBlock").GetUInt64());
        Assert.Equal(0UL, throwing.GetProperty("height").GetUInt64());
        Assert.True(throwing.GetProperty("errors").GetInt64() >= 1);

        var sleeping = await api.VmStatusAsync(SleepingVmId);
        ulong sleepingHeight = sleeping.GetProperty("height").GetUInt64(), chainHeight = sleeping.GetProperty("chainHeight").GetUInt64();
        Assert.True(sleepingHeight + 5 <= chainHeight, $"the sleeping VM is at {sleepingHeight} of {chainHeight}; it should lag");
        Assert.Equal("Running", sleeping.GetProperty("host").GetProperty("state").GetString());
        Assert.True(sleeping.GetProperty("host").GetProperty("lag").GetUInt64() >= 5);

        // The node's own status answers promptly while a VM sleeps inside a block.
        for (int i = 0; i < 5; i++)
        {
            var timer = Stopwatch.StartNew();
            var status = await api.GetAsync("/nodeStatus");
            Assert.True(timer.Elapsed < TimeSpan.FromMilliseconds(500), $"/nodeStatus took {timer.Elapsed.TotalMilliseconds:F0} ms");
            Assert.Equal(devnet.VmHosts.Count, status.GetProperty("vms").GetArrayLength());
        }
        Assert.Equal("Halted", devnet.VmHosts.Single(h => h.VmId == ThrowingVmId).State.ToString());
    }

    /// <summary>A VM with a bug: it throws on every block.</summary>
    private sealed class ThrowingVm(ulong vmId) : IVirtualMachine
    {
        public const string Message = "deliberate failure in ExecuteBlock";
        public ulong VmId { get; } = vmId;
        public void ExecuteBlock(VmBlock block, IVmState state) => throw new InvalidOperationException(Message);
        public Hash32 StateRoot(IVmState state) => Hash32.Zero;
    }

    /// <summary>A VM far slower than the chain: each block takes <paramref name="delay"/>.</summary>
    private sealed class SleepingVm(ulong vmId, TimeSpan delay) : IVirtualMachine
    {
        public ulong VmId { get; } = vmId;
        public void ExecuteBlock(VmBlock block, IVmState state) => Thread.Sleep(delay);
        public Hash32 StateRoot(IVmState state) => Hash32.Zero;
    }
}
