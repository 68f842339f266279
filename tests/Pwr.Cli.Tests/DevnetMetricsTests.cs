using System.Text;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging.Abstractions;
using Pwr.Chain;
using Pwr.Cli.Tests.Infrastructure;
using Pwr.Consensus;
using Pwr.Core;
using Pwr.Node;

namespace Pwr.Cli.Tests;

/// <summary>GET /metrics (Prometheus) and GET /consensus on the single-validator devnet.</summary>
[Collection(DevnetCollection.Name)]
public sealed partial class DevnetMetricsTests
{
    [GeneratedRegex(@"^pwr_height (\d+(\.\d+)?(e\+\d+)?)$", RegexOptions.Multiline)]
    private static partial Regex HeightLine();

    [Fact]
    public async Task Metrics_serves_height_round_peers_mempool_tps_latency_and_per_vm_height_and_lag()
    {
        using var dir = new TempDir("metrics");
        int port = FreePort.Next();
        await using var devnet = await DevnetHost.StartAsync(new DevnetOptions
        {
            DataDir = dir.Sub("devnet"), BlockTime = TimeSpan.FromMilliseconds(200), ApiPort = port, Reset = true,
        }, NullLoggerFactory.Instance);
        using var api = new NodeApi($"http://127.0.0.1:{port}");
        await api.WaitForBlocksAsync(2, TimeSpan.FromSeconds(30));
        var raw = await api.BroadcastAsync(Txs.Transfer(Keys.Dev(3), 0, Keys.Dev(4).Address, 1000));
        Assert.True(raw.Status == 200, raw.ToString());
        await Eventually.UntilAsync(async () => await api.NonceAsync(Keys.Dev(3).Address) == 1, TimeSpan.FromSeconds(30), "the transfer to finalize");

        var text = await Eventually.WaitAsync(async () =>
        {
            var r = await api.GetRawAsync("/metrics");
            Assert.Equal(200, r.Status);
            return r.Body.Contains("pwr_vm_height{vm=\"2\"}") ? r.Body : null;
        }, TimeSpan.FromSeconds(30), "/metrics to list both VMs");

        foreach (var name in new[] { "pwr_height", "pwr_round", "pwr_peers", "pwr_mempool_transactions", "pwr_finalized_transactions_total",
                     "pwr_commit_latency_seconds_bucket", "pwr_commit_latency_seconds_count", "pwr_vm_height{vm=\"1\"}", "pwr_vm_lag_blocks{vm=\"1\"}", "pwr_vm_lag_blocks{vm=\"2\"}" })
            Assert.True(text.Contains(name + " ", StringComparison.Ordinal) || text.Contains(name + "{", StringComparison.Ordinal), $"/metrics lacks {name}:\n{text}");
        Assert.True(double.Parse(HeightLine().Match(text).Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) >= 2, text);
        Assert.Matches(@"(?m)^pwr_finalized_transactions_total [1-9]", text);
        Assert.Matches(@"(?m)^pwr_finalized_tps [0-9]", text);
        Assert.Matches(@"(?m)^pwr_peers 0$", text);
    }

    [Fact]
    public async Task Consensus_endpoint_reports_height_round_step_and_a_validator_without_peers()
    {
        using var dir = new TempDir("consensus");
        int port = FreePort.Next();
        await using var devnet = await DevnetHost.StartAsync(new DevnetOptions
        {
            DataDir = dir.Sub("devnet"), BlockTime = TimeSpan.FromMilliseconds(200), ApiPort = port, Reset = true,
        }, NullLoggerFactory.Instance);
        using var api = new NodeApi($"http://127.0.0.1:{port}");
        await api.WaitForBlocksAsync(1, TimeSpan.FromSeconds(30));

        var c = await api.GetAsync("/consensus");
        Assert.True(c.GetProperty("height").GetUInt64() >= 2);
        Assert.Equal(0u, c.GetProperty("round").GetUInt32());
        Assert.False(string.IsNullOrEmpty(c.GetProperty("step").GetString()));
        Assert.True(c.GetProperty("isValidator").GetBoolean());
        Assert.Equal(DevnetKeys.Validator().Address.ToString(), c.GetProperty("validatorAddress").GetString());
        Assert.Equal(0, c.GetProperty("peers").GetInt32());
    }

    [Fact]
    public async Task Two_nodes_in_one_process_keep_separate_metric_registries()
    {
        using var dir = new TempDir("registries");
        var genesis = Genesis.Devnet([]);
        await using var a = new PwrNode(new NodeOptions { DataDir = dir.Sub("a") }, genesis, new ChainOptions(), new ConsensusOptions(), DevnetKeys.Validator(), TimeProvider.System, NullLoggerFactory.Instance);
        await using var b = new PwrNode(new NodeOptions { DataDir = dir.Sub("b") }, genesis, new ChainOptions(), new ConsensusOptions(), DevnetKeys.Validator(), TimeProvider.System, NullLoggerFactory.Instance);
        new SingleValidatorEngine(a.Chain, DevnetKeys.Validator(), new ConsensusOptions(), TimeProvider.System, NullLogger<SingleValidatorEngine>.Instance).ProduceBlock();

        Assert.NotSame(a.Metrics.Registry, b.Metrics.Registry);
        Assert.Matches(@"(?m)^pwr_height 1$", await Export(a));
        Assert.Matches(@"(?m)^pwr_height 0$", await Export(b));
    }

    private static async Task<string> Export(PwrNode node)
    {
        using var stream = new MemoryStream();
        await node.Metrics.Registry.CollectAndExportAsTextAsync(stream);
        return Encoding.UTF8.GetString(stream.ToArray());
    }
}
