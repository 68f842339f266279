using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging.Abstractions;
using Pwr.Cli.Tests.Infrastructure;
using Pwr.Vm.Token;

namespace Pwr.Cli.Tests;

/// <summary>`pwr bench vm-sync` end to end on a small chain, and the devnet's refusal of clashing VM IDs.</summary>
[Collection(DevnetCollection.Name)]
public sealed class VmSyncBenchTests
{
    [Fact]
    public async Task Vm_sync_bench_syncs_the_quiet_vm_and_verifies_every_transaction_of_the_busy_one()
    {
        using var dir = new TempDir("vmsync");
        var bench = new VmSyncBench(otherTxs: 600, ownTxs: 50, dir.Sub("cache"), _ => { });
        var line = await bench.RunAsync(CancellationToken.None);
        Assert.Contains("(50 txs) synced from genesis over HTTP", line);
        var replayed = Regex.Match(line, @"replayed (\d+) txs");
        Assert.True(replayed.Success, line);
        Assert.Equal(600, int.Parse(replayed.Groups[1].Value));
    }

    [Theory]
    [InlineData(DevnetHost.TokenVmId, "token VM")]
    [InlineData(DevnetHost.EvmVmId, "EVM")]
    public async Task An_extra_vm_with_a_devnet_vm_id_is_refused_with_the_clash_named(ulong vmId, string owner)
    {
        using var dir = new TempDir("vmclash");
        var e = await Assert.ThrowsAsync<ArgumentException>(() => DevnetHost.StartAsync(new DevnetOptions
        {
            DataDir = dir.Sub("devnet"),
            ApiPort = FreePort.Next(),
            ExtraVms = [new TokenVm(vmId)],
        }, NullLoggerFactory.Instance));
        Assert.Contains($"VM ID {vmId}", e.Message);
        Assert.Contains(owner, e.Message);
    }

    [Fact]
    public async Task Two_extra_vms_with_one_id_are_refused()
    {
        using var dir = new TempDir("vmtwice");
        var e = await Assert.ThrowsAsync<ArgumentException>(() => DevnetHost.StartAsync(new DevnetOptions
        {
            DataDir = dir.Sub("devnet"),
            ApiPort = FreePort.Next(),
            ExtraVms = [new TokenVm(7), new TokenVm(7)],
        }, NullLoggerFactory.Instance));
        Assert.Contains("VM ID 7 is given to 2 extra VMs", e.Message);
    }
}
