using System.Text.RegularExpressions;
using Pwr.Cli.Tests.Infrastructure;

namespace Pwr.Cli.Tests;

/// <summary>`pwr bench transfers` against a devnet process: every accepted transfer is finalized and the figures are printed.</summary>
[Collection(DevnetCollection.Name)]
public sealed partial class BenchTransfersTests
{
    [Fact]
    public async Task Bench_transfers_finalizes_every_transfer_and_rates_the_tps_against_the_verify_rate()
    {
        using var dir = new TempDir("benchtransfers");
        await using var devnet = await DevnetProcess.StartAsync(dir.Sub("devnet"));
        var result = await devnet.CliAsync(TimeSpan.FromMinutes(3), "bench", "transfers", "--count", "300", "--senders", "3",
            "--cache-dir", dir.Sub("cache"), "--against-verify");

        Assert.True(result.ExitCode == 0, result.Describe());
        var summary = Summary().Match(result.StdOut);
        Assert.True(summary.Success, result.Describe());
        Assert.Equal("300", summary.Groups["accepted"].Value);
        Assert.Equal("300", summary.Groups["finalized"].Value);
        Assert.True(double.Parse(summary.Groups["tps"].Value, System.Globalization.CultureInfo.InvariantCulture) > 0);

        var rated = Rated().Match(result.StdOut);
        Assert.True(rated.Success, result.Describe());
        double verify = double.Parse(rated.Groups["verify"].Value, System.Globalization.CultureInfo.InvariantCulture);
        double repeated = double.Parse(rated.Groups["repeated"].Value, System.Globalization.CultureInfo.InvariantCulture);
        double target = double.Parse(rated.Groups["target"].Value, System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(verify > 0 && repeated > 0);
        Assert.InRange(target, verify / 2 - 1, verify / 2 + 1);
    }

    [GeneratedRegex(@"submitted 300, accepted (?<accepted>\d+), finalized (?<finalized>\d+), finalized TPS (?<tps>\d+)")]
    private static partial Regex Summary();

    [GeneratedRegex(@"verify (?<verify>\d+)/s on \d+ cores \(distinct signatures; one signature repeated: (?<repeated>\d+)/s\); TPS target \(half the distinct rate\) (?<target>\d+); finalized TPS \d+ = \d+ % of the target \(\d+ % of half the repeated rate\)")]
    private static partial Regex Rated();
}
