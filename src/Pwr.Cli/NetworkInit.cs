using System.Globalization;
using Pwr.Chain;
using Pwr.Core;
using Pwr.Node;

namespace Pwr.Cli;

/// <summary>What `pwr init` writes: how many validators, where, and which ports they use.</summary>
public sealed class NetworkInitOptions
{
    public required int Validators { get; init; }
    public required string Dir { get; init; }
    public byte ChainId { get; init; } = 0x50;
    /// <summary>DevnetKeys.Validator(i) and fixed node keys instead of fresh random ones (localnet and tests).</summary>
    public bool DeterministicKeys { get; init; }
    /// <summary>Validator i serves its PWR API on BaseApiPort + i and listens for peers on BaseP2PPort + i.</summary>
    public int BaseApiPort { get; init; } = 8085;
    public int BaseP2PPort { get; init; } = 26656;
    public TimeSpan BlockInterval { get; init; } = TimeSpan.FromSeconds(1);

    public void Validate()
    {
        if (Validators is < 1 or > 100) throw new ArgumentException($"--validators must be 1..100, got {Validators}");
        if (BaseApiPort < 1 || BaseApiPort + Validators - 1 > 65535) throw new ArgumentException($"--base-api-port {BaseApiPort} leaves no room for {Validators} ports below 65536");
        if (BaseP2PPort < 1 || BaseP2PPort + Validators - 1 > 65535) throw new ArgumentException($"--base-p2p-port {BaseP2PPort} leaves no room for {Validators} ports below 65536");
        if (BaseApiPort < BaseP2PPort + Validators && BaseP2PPort < BaseApiPort + Validators)
            throw new ArgumentException($"API ports {BaseApiPort}.. and p2p ports {BaseP2PPort}.. overlap; move one base port");
        if (BlockInterval < TimeSpan.FromMilliseconds(10)) throw new ArgumentException("--block-time must be at least 10 ms");
    }
}

/// <summary>
/// Writes a network's genesis and one folder per validator (keys and config), the layout `pwr node` and
/// `pwr localnet` run from: DIR/genesis.json, DIR/nodeI/{config.json, validator-key.json, node-key.json}.
/// </summary>
public static class NetworkInit
{
    public const string GenesisFileName = "genesis.json";
    public const string ConfigFileName = "config.json";
    public const string ValidatorKeyFileName = "validator-key.json";
    public const string NodeKeyFileName = "node-key.json";

    /// <summary>Each validator's voting power: equal stakes of 1,000,000 PWR.</summary>
    public const ulong StakePerValidator = 1_000_000 * Units.PerPwr;

    /// <summary>The devnet's fixed genesis time, used with deterministic keys so that every machine derives the same chain.</summary>
    public const ulong DeterministicTimestampMs = 1_767_225_600_000;

    public static string NodeDir(string dir, int index) => Path.Combine(dir, "node" + index.ToString(CultureInfo.InvariantCulture));
    public static string ConfigPath(string dir, int index) => Path.Combine(NodeDir(dir, index), ConfigFileName);

    /// <summary>Writes the files; refuses a directory that already holds a genesis, so a network is never overwritten by accident.</summary>
    public static IReadOnlyList<NodeConfig> Write(NetworkInitOptions options, TimeProvider time)
    {
        options.Validate();
        var dir = Path.GetFullPath(options.Dir);
        var genesisPath = Path.Combine(dir, GenesisFileName);
        if (File.Exists(genesisPath)) throw new IOException($"'{genesisPath}' already exists; pick another --dir or delete it to start a new network");
        Directory.CreateDirectory(dir);

        var validatorKeys = Enumerable.Range(0, options.Validators)
            .Select(i => options.DeterministicKeys ? DevnetKeys.Validator(i) : Falcon512.Generate()).ToList();
        var genesis = BuildGenesis(options, validatorKeys, time);
        File.WriteAllText(genesisPath, genesis.ToJson() + "\n");

        var configs = new List<NodeConfig>();
        for (int i = 0; i < options.Validators; i++)
        {
            var nodeDir = NodeDir(dir, i);
            var validatorKeyFile = Path.Combine(nodeDir, ValidatorKeyFileName);
            var nodeKeyFile = Path.Combine(nodeDir, NodeKeyFileName);
            KeyFile.Save(validatorKeyFile, validatorKeys[i]);
            KeyFile.Save(nodeKeyFile, options.DeterministicKeys ? DevnetKeys.FromLabel($"node/{i}") : Falcon512.Generate());
            var others = Enumerable.Range(0, options.Validators).Where(j => j != i).ToList();
            var config = new NodeConfig
            {
                DataDir = Path.Combine(nodeDir, "data"),
                ChainId = options.ChainId,
                GenesisFile = genesisPath,
                ValidatorKeyFile = validatorKeyFile,
                NodeKeyFile = nodeKeyFile,
                ApiPort = options.BaseApiPort + i,
                P2PPort = options.BaseP2PPort + i,
                PersistentPeers = others.Select(j => $"127.0.0.1:{options.BaseP2PPort + j}").ToList(),
                BlockInterval = options.BlockInterval,
                Vms = [new NodeVmConfig(NodeConfig.TokenVmKind, DevnetHost.TokenVmId, null), new NodeVmConfig(NodeConfig.EvmVmKind, DevnetHost.EvmVmId, null)],
                VmAgreementPeers = others.Select(j => $"http://127.0.0.1:{options.BaseApiPort + j}").ToList(),
            };
            config.Save(Path.Combine(nodeDir, ConfigFileName));
            configs.Add(config);
        }
        return configs;
    }

    /// <summary>Each validator account's spendable genesis balance (fees for evidence and staking transactions).</summary>
    public const ulong ValidatorBalance = 1_000 * Units.PerPwr;

    /// <summary>The devnet's accounts (dev0…dev9 funded, VM IDs 1 and 2 claimed by dev0) with N equal validators.</summary>
    public static Genesis BuildGenesis(NetworkInitOptions options, IReadOnlyList<FalconKeyPair> validatorKeys, TimeProvider time)
    {
        var devnet = Genesis.Devnet([DevnetHost.TokenVmId, DevnetHost.EvmVmId], options.ChainId);
        var devnetValidator = DevnetKeys.Validator().Address;
        var accounts = devnet.Accounts.Where(a => a.Address != devnetValidator).ToList();
        // Validators hold a little PWR at genesis to pay for evidence transactions; their public keys are set so that
        // their first transaction needs no SetPublicKey.
        accounts.AddRange(validatorKeys.Select(k => new GenesisAccount(k.Address, ValidatorBalance, k.PublicKey)));
        return new Genesis
        {
            ChainId = options.ChainId,
            TimestampMs = options.DeterministicKeys ? DeterministicTimestampMs : (ulong)time.GetUtcNow().ToUnixTimeMilliseconds(),
            Accounts = accounts,
            Validators = validatorKeys.Select(k => new Validator(k.Address, k.PublicKey, StakePerValidator)).ToList(),
            VmOwners = devnet.VmOwners,
        };
    }
}
