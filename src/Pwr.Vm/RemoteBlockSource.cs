namespace Pwr.Vm;

/// <summary>Blocks from a PWR node's HTTP API, for a VM host running on another machine; it cannot push, so hosts poll it.</summary>
public sealed class RemoteBlockSource(PwrNodeClient client) : IVmBlockSource
{
    private readonly PwrNodeClient _client = client ?? throw new ArgumentNullException(nameof(client));

    public PwrNodeClient Client => _client;

    public async ValueTask<ulong> GetFinalizedHeightAsync(CancellationToken cancellationToken = default)
        => await _client.GetBlocksCountAsync(cancellationToken).ConfigureAwait(false);

    public async ValueTask<IReadOnlyList<VmBlock>> GetBlocksAsync(ulong vmId, ulong fromBlock, ulong toBlock, CancellationToken cancellationToken = default)
        => await _client.GetVmBlocksAsync(vmId, fromBlock, toBlock, cancellationToken).ConfigureAwait(false);

    /// <summary>Never raised: an HTTP source has no way to push.</summary>
    public event Action<ulong>? HeightAdvanced { add { } remove { } }
}
