using Pwr.Cli.Tests.Infrastructure;
using Pwr.Core;
using Pwr.Node;

namespace Pwr.Cli.Tests;

/// <summary>The process-level localnet fixture's set-up (the fault tests start its nodes once the BFT engine is merged).</summary>
public sealed class LocalnetFixtureTests
{
    [Fact]
    public async Task Fixture_moves_every_node_to_its_own_free_ports_and_points_peers_at_the_others()
    {
        using var dir = new TempDir("localnet-fixture");
        await using var net = await LocalnetProcesses.InitAsync(dir.Path, 3, (i, c) => i == 2 ? c with { Equivocate = true } : c);

        Assert.Equal(3, net.Count);
        var apiPorts = net.Configs.Select(c => c.ApiPort).ToList();
        var p2pPorts = net.Configs.Select(c => c.P2PPort).ToList();
        Assert.Equal(6, apiPorts.Concat(p2pPorts).Distinct().Count());
        for (int i = 0; i < 3; i++)
        {
            var onDisk = NodeConfig.Load(net.ConfigPaths[i]);
            Assert.Equal(net.Configs[i].ApiPort, onDisk.ApiPort);
            Assert.Equal(Enumerable.Range(0, 3).Where(j => j != i).Select(j => $"127.0.0.1:{p2pPorts[j]}"), onDisk.PersistentPeers);
            Assert.Equal(Enumerable.Range(0, 3).Where(j => j != i).Select(j => $"http://127.0.0.1:{apiPorts[j]}"), onDisk.VmAgreementPeers);
            Assert.Equal(i == 2, onDisk.Equivocate);
            Assert.Equal(DevnetKeys.Validator(i).Address, KeyFile.Load(onDisk.ValidatorKeyFile!).Address);
        }
        Assert.All(Enumerable.Range(0, 3), i => Assert.Null(net.Process(i)));
    }
}
