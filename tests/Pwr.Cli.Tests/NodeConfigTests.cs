using Microsoft.Extensions.Logging.Abstractions;
using Pwr.Cli.Tests.Infrastructure;
using Pwr.Core;
using Pwr.Node;

namespace Pwr.Cli.Tests;

/// <summary>NodeConfig files: every bad or missing field is refused with a message naming it, before anything starts.</summary>
public sealed class NodeConfigTests
{
    private const string Valid = """
        {
          // comments are allowed
          "dataDir": "data",
          "chainId": 80,
          "genesisFile": "../genesis.json",
          "validatorKeyFile": "validator-key.json",
          "nodeKeyFile": "node-key.json",
          "api": { "host": "127.0.0.1", "port": 9085 },
          "p2p": { "host": "127.0.0.1", "port": 9656 },
          "persistentPeers": ["127.0.0.1:9657"],
          "blockIntervalMs": 250,
          "vms": [ { "kind": "token", "id": 1 }, { "kind": "evm", "id": 2, "rpcPort": 9545 } ],
          "vmAgreementPeers": ["http://127.0.0.1:9086"],
          "logLevel": "debug",
          "faults": { "equivocate": true },
        }
        """;

    private static string Write(TempDir dir, string json)
    {
        var path = Path.Combine(dir.Path, "node0", "config.json");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, json);
        return path;
    }

    [Fact]
    public void A_complete_config_loads_with_paths_relative_to_its_folder()
    {
        using var dir = new TempDir("config-valid");
        var c = NodeConfig.Load(Write(dir, Valid));
        Assert.Equal(Path.Combine(dir.Path, "node0", "data"), c.DataDir);
        Assert.Equal(Path.Combine(dir.Path, "genesis.json"), c.GenesisFile);
        Assert.Equal(Path.Combine(dir.Path, "node0", "validator-key.json"), c.ValidatorKeyFile);
        Assert.Equal(80, c.ChainId);
        Assert.Equal(9085, c.ApiPort);
        Assert.Equal(9656, c.P2PPort);
        Assert.Equal(["127.0.0.1:9657"], c.PersistentPeers);
        Assert.Equal(TimeSpan.FromMilliseconds(250), c.BlockInterval);
        Assert.Equal(9545, c.Vms.Single(v => v.Kind == "evm").RpcPort);
        Assert.Equal(Microsoft.Extensions.Logging.LogLevel.Debug, c.LogLevel);
        Assert.True(c.Equivocate);
    }

    [Fact]
    public void A_saved_config_loads_back_equal()
    {
        using var dir = new TempDir("config-roundtrip");
        var c = NodeConfig.Load(Write(dir, Valid));
        var copy = Path.Combine(dir.Path, "node0", "copy.json");
        c.Save(copy);
        var back = NodeConfig.Load(copy);
        Assert.Equal(c.DataDir, back.DataDir);
        Assert.Equal(c.GenesisFile, back.GenesisFile);
        Assert.Equal(c.PersistentPeers, back.PersistentPeers);
        Assert.Equal(c.Vms, back.Vms);
        Assert.Equal(c.VmAgreementPeers, back.VmAgreementPeers);
        Assert.Equal((c.ApiPort, c.P2PPort, c.BlockInterval, c.LogLevel, c.Equivocate), (back.ApiPort, back.P2PPort, back.BlockInterval, back.LogLevel, back.Equivocate));
    }

    [Fact]
    public void A_config_without_validator_key_is_a_full_node()
    {
        using var dir = new TempDir("config-full");
        var c = NodeConfig.Load(Write(dir, Valid.Replace("\"validatorKeyFile\": \"validator-key.json\",", "")));
        Assert.Null(c.ValidatorKeyFile);
    }

    [Theory]
    [InlineData("\"dataDir\": \"data\",", "", "\"dataDir\" is required")]
    [InlineData("\"nodeKeyFile\": \"node-key.json\",", "", "\"nodeKeyFile\" is required")]
    [InlineData("\"genesisFile\": \"../genesis.json\",", "", "\"genesisFile\" is required")]
    [InlineData("\"chainId\": 80,", "", "\"chainId\" is required")]
    [InlineData("\"chainId\": 80,", "\"chainId\": 256,", "\"chainId\" must be 0..255")]
    [InlineData("\"port\": 9085", "\"port\": 70000", "\"api.port\" must be a TCP port")]
    [InlineData("\"host\": \"127.0.0.1\", \"port\": 9656", "\"host\": \"not an ip\", \"port\": 9656", "\"p2p.host\" must be an IP address")]
    [InlineData("\"127.0.0.1:9657\"", "\"127.0.0.1\"", "\"persistentPeers\" entry '127.0.0.1' is not host:port")]
    [InlineData("\"blockIntervalMs\": 250", "\"blockIntervalMs\": 0", "\"blockIntervalMs\" must be 10..600000")]
    [InlineData("{ \"kind\": \"token\", \"id\": 1 }", "{ \"kind\": \"wasm\", \"id\": 1 }", "kind 'wasm' is unknown")]
    [InlineData("{ \"kind\": \"token\", \"id\": 1 }", "{ \"kind\": \"token\" }", "needs an \"id\"")]
    [InlineData("{ \"kind\": \"token\", \"id\": 1 }", "{ \"kind\": \"token\", \"id\": 2 }", "VM ID 2 is listed twice")]
    [InlineData("\"http://127.0.0.1:9086\"", "\"127.0.0.1:9086\"", "\"vmAgreementPeers\" entry '127.0.0.1:9086' is not an http:// URL")]
    [InlineData("\"logLevel\": \"debug\"", "\"logLevel\": \"loud\"", "\"logLevel\" 'loud' is not one of")]
    [InlineData("\"faults\":", "\"fault\":", "fault")]
    [InlineData("\"chainId\": 80,", "\"chainId\": \"eighty\",", "chainId")]
    public void A_bad_or_missing_field_is_refused_with_a_message_naming_it(string replace, string with, string expected)
    {
        using var dir = new TempDir("config-bad");
        Assert.Contains(replace, Valid);
        var path = Write(dir, Valid.Replace(replace, with));
        var e = Assert.Throws<InvalidDataException>(() => NodeConfig.Load(path));
        Assert.Contains(expected, e.Message);
        Assert.Contains(path, e.Message);
    }

    [Fact]
    public void A_missing_config_file_says_how_to_create_one()
    {
        using var dir = new TempDir("config-missing");
        var e = Assert.Throws<FileNotFoundException>(() => NodeConfig.Load(dir.Sub("nope.json")));
        Assert.Contains("pwr init", e.Message);
    }

    [Fact]
    public async Task A_config_whose_chain_id_differs_from_its_genesis_is_refused_before_the_node_starts()
    {
        using var dir = new TempDir("config-chainid");
        NetworkInit.Write(new NetworkInitOptions { Validators = 1, Dir = dir.Path, DeterministicKeys = true, ChainId = 5 }, TimeProvider.System);
        var config = NodeConfig.Load(NetworkInit.ConfigPath(dir.Path, 0)) with { ChainId = 6 };
        var e = await Assert.ThrowsAsync<InvalidDataException>(() => ConfiguredNodeHost.StartAsync(config, NullLoggerFactory.Instance));
        Assert.Contains("chainId 6 differs from the genesis", e.Message);
        Assert.False(Directory.Exists(config.DataDir));
    }

    [Fact]
    public async Task A_validator_key_outside_the_genesis_validator_set_starts_a_node_that_votes_only_once_it_joins_by_staking()
    {
        // A validator that joined with JoinAsValidator is in no genesis; it must be able to run with its key.
        using var dir = new TempDir("config-stranger");
        NetworkInit.Write(new NetworkInitOptions { Validators = 1, Dir = dir.Path, DeterministicKeys = true }, TimeProvider.System);
        var stranger = dir.Sub("stranger.json");
        KeyFile.Save(stranger, DevnetKeys.Validator(7));
        var config = NodeConfig.Load(NetworkInit.ConfigPath(dir.Path, 0)) with
        {
            ValidatorKeyFile = stranger,
            ApiPort = FreePort.Next(),
            P2PPort = FreePort.Next(),
            PersistentPeers = [],
            Vms = [],
            VmAgreementPeers = [],
        };
        await using var host = await ConfiguredNodeHost.StartAsync(config, NullLoggerFactory.Instance);
        Assert.False(host.Node.Consensus.IsValidator);
    }

    [Fact]
    public async Task A_missing_genesis_file_is_named_in_the_error()
    {
        using var dir = new TempDir("config-nogenesis");
        NetworkInit.Write(new NetworkInitOptions { Validators = 1, Dir = dir.Path, DeterministicKeys = true }, TimeProvider.System);
        var config = NodeConfig.Load(NetworkInit.ConfigPath(dir.Path, 0)) with { GenesisFile = dir.Sub("elsewhere.json") };
        var e = await Assert.ThrowsAsync<FileNotFoundException>(() => ConfiguredNodeHost.StartAsync(config, NullLoggerFactory.Instance));
        Assert.Contains("elsewhere.json", e.Message);
    }
}
