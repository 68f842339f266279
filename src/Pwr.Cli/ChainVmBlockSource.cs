using Pwr.Chain;
using Pwr.Vm;

namespace Pwr.Cli;

/// <summary>The in-process block source: a VM host reads finalized blocks straight from the node's block store.</summary>
public sealed class ChainVmBlockSource : IVmBlockSource, IDisposable
{
    private readonly ChainApplication _chain;

    public ChainVmBlockSource(ChainApplication chain)
    {
        _chain = chain;
        _chain.BlockCommitted += OnCommitted;
    }

    public event Action<ulong>? HeightAdvanced;

    private void OnCommitted(Block block) => HeightAdvanced?.Invoke(block.Number);

    public ValueTask<ulong> GetFinalizedHeightAsync(CancellationToken cancellationToken = default) => ValueTask.FromResult(_chain.Blocks.Height);

    public ValueTask<IReadOnlyList<VmBlock>> GetBlocksAsync(ulong vmId, ulong fromBlock, ulong toBlock, CancellationToken cancellationToken = default)
    {
        if (toBlock >= fromBlock && toBlock - fromBlock >= IVmBlockSource.MaxBlocksPerRequest)
            toBlock = fromBlock + IVmBlockSource.MaxBlocksPerRequest - 1;
        var blocks = _chain.Blocks.GetVmBlocks(vmId, fromBlock, toBlock);
        var result = new VmBlock[blocks.Count];
        for (int i = 0; i < result.Length; i++)
        {
            var (header, txs) = blocks[i];
            var vmTxs = new VmTransaction[txs.Count];
            for (int j = 0; j < vmTxs.Length; j++)
            {
                var t = txs[j];
                vmTxs[j] = new VmTransaction(t.Transaction.Sender, t.Transaction.Value, t.Transaction.Data, t.Transaction.Hash, t.Position);
            }
            result[i] = new VmBlock(header.Number, header.TimestampMs, header.Hash, vmTxs);
        }
        return ValueTask.FromResult<IReadOnlyList<VmBlock>>(result);
    }

    public void Dispose() => _chain.BlockCommitted -= OnCommitted;
}
