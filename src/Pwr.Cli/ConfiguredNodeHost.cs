using System.Net;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Pwr.Chain;
using Pwr.Consensus;
using Pwr.Consensus.Network;
using Pwr.Core;
using Pwr.Node;
using Pwr.Vm;
using Pwr.Vm.Evm.Rpc;
using Pwr.Vm.Evm.Vm;
using Pwr.Vm.Token;

namespace Pwr.Cli;

/// <summary>What `pwr node --config FILE` runs: one BFT validator or full node with the VMs its config lists.</summary>
public sealed partial class ConfiguredNodeHost : IAsyncDisposable
{
    /// <summary>The devnet account that pays for the EVM wrapper's VmData transactions (as on the devnet; `pwr init` funds it).</summary>
    public const int EvmWrapperAccount = DevnetHost.EvmWrapperAccount;

    private InProcessVmHosts? _vms;

    private ConfiguredNodeHost(NodeConfig config, PwrNode node)
    {
        Config = config;
        Node = node;
    }

    public NodeConfig Config { get; }
    public PwrNode Node { get; }
    public IReadOnlyList<VmHost> VmHosts => _vms?.Hosts ?? [];
    public EvmRpcServer? EvmRpc { get; private set; }
    public string? EvmRpcError { get; private set; }

    /// <summary>
    /// Most transactions in one block of a BFT network: every validator receives, decodes and re-executes a proposal
    /// within its round timeouts, so blocks stay far smaller than the devnet's 50,000 (measured: 20,000–29,000-tx
    /// proposals on 4 validators sharing 2 cores took 1–3 extra rounds).
    /// </summary>
    public const int MaxBftBlockTransactions = 8_000;

    /// <summary>Reads the genesis and keys the config names (each failure names its file), then starts the node and its VMs.</summary>
    public static async Task<ConfiguredNodeHost> StartAsync(NodeConfig config, ILoggerFactory loggerFactory)
    {
        var genesis = LoadGenesis(config.GenesisFile);
        if (genesis.ChainId != config.ChainId)
            throw new InvalidDataException($"config chainId {config.ChainId} differs from the genesis file '{config.GenesisFile}' ({genesis.ChainId}); make them the same");
        FalconKeyPair? validatorKey = null;
        if (config.ValidatorKeyFile is { } vkFile)
        {
            validatorKey = KeyFile.Load(vkFile);
            // A validator that joined by staking (JoinAsValidator) is in no genesis: it follows as a full node and
            // votes from the first height whose set contains it, so the key is accepted with a warning.
            if (!genesis.Validators.Any(v => v.Address == validatorKey.Address))
                LogKeyOutsideGenesis(loggerFactory.CreateLogger<ConfiguredNodeHost>(), vkFile, validatorKey.Address);
        }
        var nodeKey = KeyFile.Load(config.NodeKeyFile);
        var evmOptions = new EvmVmOptions();
        var vms = config.Vms.Select(v => v.Kind == NodeConfig.EvmVmKind ? (IVirtualMachine)new EvmVm(v.Id, evmOptions) : new TokenVm(v.Id)).ToList();

        Directory.CreateDirectory(config.DataDir);
        var node = new PwrNode(
            new NodeOptions { DataDir = config.DataDir, ApiHost = config.ApiHost, ApiPort = config.ApiPort },
            genesis, new ChainOptions { ChainId = config.ChainId, MaxBlockTransactions = MaxBftBlockTransactions },
            new BftNodeOptions
            {
                ValidatorKey = validatorKey,
                NodeKey = nodeKey,
                Network = new TcpNetworkOptions { Listen = new IPEndPoint(ParseHost(config.P2PHost), config.P2PPort), PersistentPeers = config.PersistentPeers },
                Bft = new BftOptions { BlockInterval = config.BlockInterval, EquivocateForFaultTests = config.Equivocate },
            },
            TimeProvider.System, loggerFactory);
        var host = new ConfiguredNodeHost(config, node);
        try
        {
            // Each VM host compares its roots with the other nodes' and rolls back when fewer than 2/3 agree.
            var hostOptions = new VmHostOptions { AgreementPeers = config.VmAgreementPeers.Select(u => new Uri(u)).ToList() };
            host._vms = InProcessVmHosts.Create(node, config.DataDir, vms, hostOptions, loggerFactory);
            await node.StartAsync();
            host._vms.Start();
            if (config.Vms.FirstOrDefault(v => v.Kind == NodeConfig.EvmVmKind && v.RpcPort is not null) is { } evm)
                (host.EvmRpc, host.EvmRpcError) = await host._vms.StartEvmRpcAsync(evm.Id, evmOptions, evm.RpcPort!.Value, node.ApiUrl, DevnetKeys.Account(EvmWrapperAccount), loggerFactory);
            return host;
        }
        catch
        {
            await host.DisposeAsync();
            throw;
        }
    }

    public static Genesis LoadGenesis(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"genesis file '{path}' does not exist; create one with 'pwr init'", path);
        try { return Genesis.FromJson(File.ReadAllText(path)); }
        catch (Exception e) when (e is JsonException or FormatException or ArgumentException or InvalidDataException)
        {
            throw new InvalidDataException($"genesis file '{path}' is not a valid genesis: {e.Message}");
        }
    }

    private static IPAddress ParseHost(string host) => host == "localhost" ? IPAddress.Loopback : IPAddress.Parse(host);

    public async ValueTask DisposeAsync()
    {
        if (EvmRpc is not null) await EvmRpc.DisposeAsync();
        if (_vms is not null) await _vms.StopAsync();
        await Node.DisposeAsync();
        if (_vms is not null) await _vms.DisposeAsync();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Validator key '{KeyFile}' ({Address}) is not in the genesis validator set: this node votes only once the key has joined the set by staking")]
    private static partial void LogKeyOutsideGenesis(ILogger logger, string keyFile, Address address);
}
