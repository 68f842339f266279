using Microsoft.Extensions.Logging.Abstractions;
using Pwr.Chain;
using Pwr.Cli.Tests.Infrastructure;
using Pwr.Core;
using Pwr.Node;

namespace Pwr.Cli.Tests;

/// <summary>`pwr init` (through <see cref="NetworkInit"/>): the genesis and the per-validator folders it writes.</summary>
public sealed class NetworkInitTests
{
    [Fact]
    public void Init_writes_a_genesis_with_equal_validators_funded_dev_accounts_and_claimed_vm_ids()
    {
        using var dir = new TempDir("init-genesis");
        NetworkInit.Write(new NetworkInitOptions { Validators = 4, Dir = dir.Path, DeterministicKeys = true }, TimeProvider.System);

        var genesis = ConfiguredNodeHost.LoadGenesis(Path.Combine(dir.Path, NetworkInit.GenesisFileName));
        Assert.Equal(0x50, genesis.ChainId);
        Assert.Equal(Enumerable.Range(0, 4).Select(i => DevnetKeys.Validator(i).Address), genesis.Validators.Select(v => v.Address));
        Assert.All(genesis.Validators, v => Assert.Equal(NetworkInit.StakePerValidator, v.Power));
        for (int i = 0; i < DevnetKeys.AccountCount; i++)
            Assert.Equal(100_000_000 * Units.PerPwr, genesis.Accounts.Single(a => a.Address == DevnetKeys.Account(i).Address).Balance);
        Assert.Equal(DevnetKeys.Account(0).Address, genesis.VmOwners[DevnetHost.TokenVmId]);
        Assert.Equal(DevnetKeys.Account(0).Address, genesis.VmOwners[DevnetHost.EvmVmId]);
    }

    [Fact]
    public void Genesis_written_by_init_opens_as_a_chain_whose_validator_set_holds_every_validator()
    {
        using var dir = new TempDir("init-chain");
        NetworkInit.Write(new NetworkInitOptions { Validators = 3, Dir = dir.Path, DeterministicKeys = true, ChainId = 7 }, TimeProvider.System);
        var genesis = ConfiguredNodeHost.LoadGenesis(Path.Combine(dir.Path, NetworkInit.GenesisFileName));

        using var chain = new ChainApplication(dir.Sub("chain"), genesis, new ChainOptions { ChainId = 7 }, TimeProvider.System, NullLogger<ChainApplication>.Instance);
        Assert.Equal(0UL, chain.LastHeader.Number);
        Assert.Equal(3, chain.Validators.Validators.Count);
        Assert.Equal(100_000_000 * Units.PerPwr, chain.Ledger.GetAccount(DevnetKeys.Account(9).Address).Balance);
        Assert.NotNull(chain.Ledger.GetAccount(DevnetKeys.Validator(2).Address).PublicKey);
    }

    [Fact]
    public void Each_validator_folder_holds_a_loadable_config_with_its_own_ports_keys_and_every_other_validator_as_peer()
    {
        using var dir = new TempDir("init-configs");
        NetworkInit.Write(new NetworkInitOptions { Validators = 4, Dir = dir.Path, DeterministicKeys = true, BaseApiPort = 9100, BaseP2PPort = 9200 }, TimeProvider.System);

        for (int i = 0; i < 4; i++)
        {
            var config = NodeConfig.Load(NetworkInit.ConfigPath(dir.Path, i));
            Assert.Equal(9100 + i, config.ApiPort);
            Assert.Equal(9200 + i, config.P2PPort);
            Assert.Equal(Enumerable.Range(0, 4).Where(j => j != i).Select(j => $"127.0.0.1:{9200 + j}"), config.PersistentPeers);
            Assert.Equal(Enumerable.Range(0, 4).Where(j => j != i).Select(j => $"http://127.0.0.1:{9100 + j}"), config.VmAgreementPeers);
            Assert.Equal(Path.Combine(dir.Path, NetworkInit.GenesisFileName), config.GenesisFile);
            Assert.Equal(Path.Combine(NetworkInit.NodeDir(dir.Path, i), "data"), config.DataDir);
            Assert.Equal(DevnetKeys.Validator(i).Address, KeyFile.Load(config.ValidatorKeyFile!).Address);
            Assert.NotEqual(DevnetKeys.Validator(i).Address, KeyFile.Load(config.NodeKeyFile).Address);
            Assert.Equal([(NodeConfig.TokenVmKind, 1UL), (NodeConfig.EvmVmKind, 2UL)], config.Vms.Select(v => (v.Kind, v.Id)));
            Assert.False(config.Equivocate);
        }
    }

    [Fact]
    public void Init_without_deterministic_keys_writes_fresh_validator_keys_that_differ_from_the_devnets()
    {
        using var dir = new TempDir("init-random");
        NetworkInit.Write(new NetworkInitOptions { Validators = 2, Dir = dir.Path }, TimeProvider.System);

        var keys = Enumerable.Range(0, 2).Select(i => KeyFile.Load(NodeConfig.Load(NetworkInit.ConfigPath(dir.Path, i)).ValidatorKeyFile!).Address).ToList();
        Assert.NotEqual(keys[0], keys[1]);
        Assert.DoesNotContain(DevnetKeys.Validator(0).Address, keys);
        Assert.DoesNotContain(DevnetKeys.Validator(1).Address, keys);
        Assert.Equal(keys, ConfiguredNodeHost.LoadGenesis(Path.Combine(dir.Path, NetworkInit.GenesisFileName)).Validators.Select(v => v.Address));
    }

    [Fact]
    public void Init_refuses_a_directory_that_already_holds_a_network()
    {
        using var dir = new TempDir("init-twice");
        NetworkInit.Write(new NetworkInitOptions { Validators = 1, Dir = dir.Path, DeterministicKeys = true }, TimeProvider.System);
        var e = Assert.Throws<IOException>(() => NetworkInit.Write(new NetworkInitOptions { Validators = 1, Dir = dir.Path, DeterministicKeys = true }, TimeProvider.System));
        Assert.Contains("already exists", e.Message);
    }

    [Fact]
    public void Init_refuses_overlapping_api_and_p2p_port_ranges()
    {
        using var dir = new TempDir("init-ports");
        var e = Assert.Throws<ArgumentException>(() => NetworkInit.Write(new NetworkInitOptions { Validators = 4, Dir = dir.Path, BaseApiPort = 9000, BaseP2PPort = 9002 }, TimeProvider.System));
        Assert.Contains("overlap", e.Message);
        Assert.False(File.Exists(Path.Combine(dir.Path, NetworkInit.GenesisFileName)));
    }
}
