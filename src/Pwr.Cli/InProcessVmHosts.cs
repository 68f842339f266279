using System.Globalization;
using Microsoft.Extensions.Logging;
using Pwr.Core;
using Pwr.Node;
using Pwr.Vm;
using Pwr.Vm.Evm.Rpc;
using Pwr.Vm.Evm.Vm;

namespace Pwr.Cli;

/// <summary>
/// VM hosts that run inside a node's process, one per VM with its own store under DATA/vms/ID, fed by the node's
/// chain; the devnet and configured nodes (`pwr node`) both compose their VMs through this.
/// </summary>
public sealed class InProcessVmHosts : IAsyncDisposable
{
    private readonly List<(VmHost Host, VmStore Store)> _vms = [];
    private readonly ChainVmBlockSource _source;

    private InProcessVmHosts(ChainVmBlockSource source) => _source = source;

    public IReadOnlyList<VmHost> Hosts => _vms.Select(v => v.Host).ToList();

    /// <summary>Opens each VM's store and host and registers it with the node's /rootHash; call before the node starts.</summary>
    public static InProcessVmHosts Create(PwrNode node, string dataDir, IEnumerable<IVirtualMachine> vms, VmHostOptions hostOptions, ILoggerFactory loggerFactory)
    {
        var hosts = new InProcessVmHosts(new ChainVmBlockSource(node.Chain));
        try
        {
            foreach (var vm in vms)
            {
                var store = VmStore.Open(Path.Combine(dataDir, "vms", vm.VmId.ToString(CultureInfo.InvariantCulture)));
                var vmHost = new VmHost(vm, store, hosts._source, hostOptions, loggerFactory.CreateLogger($"Pwr.Vm.{vm.VmId}"));
                hosts._vms.Add((vmHost, store));
                node.AddVmRootProvider(new VmHostRootProvider(vmHost));
            }
            return hosts;
        }
        catch
        {
            hosts.DisposeAsync().AsTask().GetAwaiter().GetResult();
            throw;
        }
    }

    /// <summary>Starts every VM host on its own thread; call once the node runs.</summary>
    public void Start()
    {
        foreach (var (vmHost, _) in _vms) vmHost.Start();
    }

    public VmStore StoreOf(ulong vmId) => _vms.Single(v => v.Host.VmId == vmId).Store;

    /// <summary>
    /// Starts the Ethereum JSON-RPC wrapper over the EVM's store. Returns null with the reason when it cannot listen
    /// (say, Anvil already holds the port): the chain and the VMs work without it.
    /// </summary>
    public async Task<(EvmRpcServer? Server, string? Error)> StartEvmRpcAsync(ulong evmVmId, EvmVmOptions evmOptions, int port,
        string nodeApiUrl, FalconKeyPair wrapperKey, ILoggerFactory loggerFactory)
    {
        var options = new EvmRpcOptions
        {
            Port = port,
            PwrNode = new Uri(nodeApiUrl),
            WrapperKey = wrapperKey,
            EvmVmId = evmVmId,
        };
        try { return (await EvmRpcServer.StartAsync(StoreOf(evmVmId), evmOptions, options, loggerFactory), null); }
        catch (IOException e) { return (null, e.Message); }
    }

    /// <summary>Stops the hosts' threads; dispose after the node so that no block notification reaches a disposed host.</summary>
    public async Task StopAsync()
    {
        foreach (var (vmHost, _) in _vms) await vmHost.StopAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        foreach (var (vmHost, store) in _vms) { vmHost.Dispose(); store.Dispose(); }
        _vms.Clear();
        _source.Dispose();
    }
}
