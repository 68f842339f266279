using Microsoft.Extensions.Logging;
using Pwr.Chain;
using Pwr.Consensus;
using Pwr.Core;
using Pwr.Node;
using Pwr.Vm;
using Pwr.Vm.Evm.Rpc;
using Pwr.Vm.Evm.Vm;
using Pwr.Vm.Token;

namespace Pwr.Cli;

/// <summary>What `pwr devnet` runs: one validator, the PWR API and the devnet's VMs, each on its own host.</summary>
public sealed class DevnetOptions
{
    public required string DataDir { get; init; }
    public TimeSpan BlockTime { get; init; } = TimeSpan.FromSeconds(1);
    public int ApiPort { get; init; } = 8085;
    public bool Reset { get; init; }
    /// <summary>Port of the Ethereum JSON-RPC wrapper on 127.0.0.1 (`pwr devnet` asks for 8545); null runs the EVM without it.</summary>
    public int? EvmRpcPort { get; init; }
    /// <summary>VMs run beside the devnet's own (tests use this for misbehaving VMs).</summary>
    public IReadOnlyList<IVirtualMachine> ExtraVms { get; init; } = [];
}

/// <summary>The composed devnet: node, block producer and in-process VM hosts.</summary>
public sealed class DevnetHost : IAsyncDisposable
{
    /// <summary>VM ID of the example token VM on the devnet.</summary>
    public const ulong TokenVmId = 1;

    /// <summary>VM ID of the EVM on the devnet.</summary>
    public const ulong EvmVmId = 2;

    /// <summary>The devnet account whose PWR key signs and pays for the EVM wrapper's VmData transactions.</summary>
    public const int EvmWrapperAccount = 8;

    private InProcessVmHosts? _vms;

    public PwrNode Node { get; private set; } = null!;
    public IReadOnlyList<VmHost> VmHosts => _vms?.Hosts ?? [];
    public string KeysDir { get; private init; } = "";

    /// <summary>The Ethereum JSON-RPC wrapper, when it runs.</summary>
    public EvmRpcServer? EvmRpc { get; private set; }

    /// <summary>Why the Ethereum JSON-RPC wrapper is not running although a port was asked for (say, the port is taken).</summary>
    public string? EvmRpcError { get; private set; }

    /// <summary>The EVM's parameters on this devnet (chain id 31337, as Anvil).</summary>
    public EvmVmOptions EvmOptions { get; } = new();

    public static async Task<DevnetHost> StartAsync(DevnetOptions options, ILoggerFactory loggerFactory)
    {
        var dataDir = Path.GetFullPath(options.DataDir);
        if (options.Reset && Directory.Exists(dataDir)) Directory.Delete(dataDir, recursive: true);
        Directory.CreateDirectory(dataDir);

        // Two VMs with one ID would share (and fight over) one store directory.
        if (options.ExtraVms.FirstOrDefault(v => v.VmId is TokenVmId or EvmVmId) is { } taken)
            throw new ArgumentException($"VM ID {taken.VmId} is the devnet's own {(taken.VmId == TokenVmId ? "token VM" : "EVM")}; give the extra VM another ID");
        if (options.ExtraVms.GroupBy(v => v.VmId).FirstOrDefault(g => g.Count() > 1) is { } twice)
            throw new ArgumentException($"VM ID {twice.Key} is given to {twice.Count()} extra VMs; each VM needs its own ID");
        var host = new DevnetHost { KeysDir = Path.Combine(dataDir, "keys") };
        var vms = new List<IVirtualMachine> { new TokenVm(TokenVmId), new EvmVm(EvmVmId, host.EvmOptions) };
        vms.AddRange(options.ExtraVms);
        var genesis = Genesis.Devnet(vms.Select(v => v.VmId));
        var node = new PwrNode(
            new NodeOptions { DataDir = dataDir, ApiPort = options.ApiPort },
            genesis, new ChainOptions(), new ConsensusOptions { BlockInterval = options.BlockTime },
            DevnetKeys.Validator(), TimeProvider.System, loggerFactory);
        host.Node = node;
        try
        {
            host._vms = InProcessVmHosts.Create(node, dataDir, vms, new VmHostOptions(), loggerFactory);
            await node.StartAsync();
            host._vms.Start();
            host.WriteKeyFiles();
            if (options.EvmRpcPort is { } port)
                (host.EvmRpc, host.EvmRpcError) = await host._vms.StartEvmRpcAsync(EvmVmId, host.EvmOptions, port, node.ApiUrl, DevnetKeys.Account(EvmWrapperAccount), loggerFactory);
            return host;
        }
        catch
        {
            await host.DisposeAsync();
            throw;
        }
    }

    private void WriteKeyFiles()
    {
        Directory.CreateDirectory(KeysDir);
        for (int i = 0; i < DevnetKeys.AccountCount; i++)
        {
            var path = Path.Combine(KeysDir, $"dev{i}.json");
            if (!File.Exists(path)) KeyFile.Save(path, DevnetKeys.Account(i));
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (EvmRpc is not null) await EvmRpc.DisposeAsync();
        if (_vms is not null) await _vms.StopAsync();
        await Node.DisposeAsync();
        if (_vms is not null) await _vms.DisposeAsync();
    }
}
