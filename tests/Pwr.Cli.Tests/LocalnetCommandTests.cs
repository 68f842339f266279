using System.Globalization;
using System.Text.RegularExpressions;
using Pwr.Cli.Tests.Infrastructure;

namespace Pwr.Cli.Tests;

/// <summary>`pwr localnet --validators 4` itself: the validator processes it prints, their fixed loopback ports, and
/// Ctrl-C stopping every one of them.</summary>
[Collection(DevnetCollection.Name)]
public sealed partial class LocalnetCommandTests
{
    private const int SIGINT = 2;

    // A row of the printed table: validator index, pid, PWR API URL.
    [GeneratedRegex(@"(?m)^\W*(\d)\W+(\d+)\W+(http://127\.0\.0\.1:(\d+))")]
    private static partial Regex ValidatorRow();

    [Fact]
    public async Task Localnet_prints_four_validators_on_ports_8085_to_8088_that_finalize_and_ctrl_c_stops_them_all()
    {
        using var dir = new TempDir("localnet-cmd");
        using var localnet = PwrProcess.Start(dir.Path, "localnet", "--validators", "4", "--data-dir", dir.Sub("net"), "--reset", "--block-time", "300");

        // The table of validators: index, pid and API URL 127.0.0.1:8085+i.
        var rows = new List<Match>();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (rows.Count < 4 && DateTime.UtcNow < deadline && !localnet.HasExited)
        {
            await Task.Delay(250);
            rows = ValidatorRow().Matches(localnet.StdOut).ToList();
        }
        Assert.True(rows.Count == 4, $"expected 4 validator rows:\n{localnet.StdOut}\n{localnet.StdErr}");
        var pids = new List<int>();
        for (int i = 0; i < 4; i++)
        {
            Assert.Equal(i, int.Parse(rows[i].Groups[1].Value, CultureInfo.InvariantCulture));
            Assert.Equal(8085 + i, int.Parse(rows[i].Groups[4].Value, CultureInfo.InvariantCulture));
            pids.Add(int.Parse(rows[i].Groups[2].Value, CultureInfo.InvariantCulture));
        }
        Assert.Equal(4, pids.Distinct().Count());
        Assert.All(pids, pid => Assert.True(Directory.Exists($"/proc/{pid}"), $"validator pid {pid} is not running"));

        // Each validator's API answers on its port and the four agree on finalized blocks.
        var apis = rows.Select(r => new NodeApi(r.Groups[3].Value)).ToList();
        try
        {
            foreach (var api in apis) await api.WaitForBlocksAsync(4, TimeSpan.FromSeconds(60));
            var hashes = new List<string>();
            foreach (var api in apis) hashes.Add(await api.BlockHashAsync(3));
            Assert.Single(hashes.Distinct());
        }
        finally
        {
            foreach (var api in apis) api.Dispose();
        }

        // Ctrl-C: the command exits and takes every validator process with it.
        Signals.Send(localnet.Id, SIGINT);
        var result = await localnet.WaitForExitAsync(LocalnetRunner.ShutdownTimeout + TimeSpan.FromSeconds(10));
        Assert.True(result.ExitCode == 0, result.Describe());
        foreach (var pid in pids)
        {
            var gone = DateTime.UtcNow + TimeSpan.FromSeconds(5);
            while (Directory.Exists($"/proc/{pid}") && DateTime.UtcNow < gone) await Task.Delay(100);
            Assert.False(Directory.Exists($"/proc/{pid}"), $"validator pid {pid} still runs after Ctrl-C");
        }
    }
}
