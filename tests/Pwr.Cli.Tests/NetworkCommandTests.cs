using Pwr.Cli.Tests.Infrastructure;
using Pwr.Node;

namespace Pwr.Cli.Tests;

/// <summary>`pwr init` and `pwr node` as real processes: what a user types and sees.</summary>
public sealed class NetworkCommandTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    /// <summary>Spectre wraps long lines at 80 columns when output is redirected; join them back for substring checks.</summary>
    private static string Unwrapped(ProcessResult r) => (r.StdOut + r.StdErr).Replace("\n", "", StringComparison.Ordinal);

    [Fact]
    public async Task Pwr_init_writes_the_network_folder_and_prints_each_validators_endpoints()
    {
        using var dir = new TempDir("cmd-init");
        var r = await PwrProcess.RunAsync(Timeout, "init", "--validators", "3", "--dir", dir.Path, "--deterministic-keys", "--base-api-port", "9300", "--base-p2p-port", "9400");
        Assert.True(r.ExitCode == 0, r.Describe());
        Assert.Contains("http://127.0.0.1:9302", Unwrapped(r));
        Assert.Contains("127.0.0.1:9402", Unwrapped(r));
        Assert.True(File.Exists(Path.Combine(dir.Path, NetworkInit.GenesisFileName)));
        Assert.Equal(9301, NodeConfig.Load(NetworkInit.ConfigPath(dir.Path, 1)).ApiPort);
    }

    [Fact]
    public async Task Pwr_node_refuses_a_bad_config_with_a_message_naming_the_field_and_exit_code_1()
    {
        using var dir = new TempDir("cmd-node-bad");
        var path = dir.Sub("config.json");
        File.WriteAllText(path, """{ "dataDir": "data", "chainId": 80, "genesisFile": "genesis.json", "nodeKeyFile": "k.json", "p2p": { "port": 0 } }""");
        var r = await PwrProcess.RunAsync(Timeout, "node", "--config", path);
        Assert.True(r.ExitCode == 1, r.Describe());
        Assert.Contains("\"p2p.port\" must be a TCP port", Unwrapped(r));
        Assert.DoesNotContain("Unhandled exception", Unwrapped(r));
    }

    [Fact]
    public async Task Pwr_node_with_a_missing_config_file_says_so_and_exits_1()
    {
        using var dir = new TempDir("cmd-node-missing");
        var r = await PwrProcess.RunAsync(Timeout, "node", "--config", dir.Sub("absent.json"));
        Assert.True(r.ExitCode == 1, r.Describe());
        Assert.Contains("absent.json", Unwrapped(r));
        Assert.Contains("does not exist", Unwrapped(r));
    }
}
