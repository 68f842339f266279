using Pwr.Core;

namespace Pwr.Vm.Tests;

/// <summary>An in-memory block source: blocks are appended by the test and pushed to subscribed hosts.</summary>
internal sealed class MemoryBlockSource : IVmBlockSource, IVmRootSource
{
    private readonly List<VmBlock> _blocks = [];
    private readonly Lock _gate = new();
    private int _failuresLeft;

    public event Action<ulong>? HeightAdvanced;

    public ulong Height { get { lock (_gate) return (ulong)_blocks.Count; } }

    public int BlockRequests { get; private set; }

    /// <summary>Roots served through <see cref="IVmRootSource"/>, as a node would report them.</summary>
    public List<Hash32> Roots { get; } = [];

    /// <summary>Makes the next <paramref name="count"/> calls throw, like a node that is down.</summary>
    public void FailNext(int count) { lock (_gate) _failuresLeft = count; }

    public VmBlock Add(params VmTransaction[] transactions)
    {
        VmBlock block;
        lock (_gate)
        {
            ulong number = (ulong)_blocks.Count + 1;
            block = new VmBlock(number, 1_700_000_000_000 + number * 1000, Keccak.Hash256(BitConverter.GetBytes(number)), transactions);
            _blocks.Add(block);
        }
        HeightAdvanced?.Invoke(block.Number);
        return block;
    }

    public void AddMany(IEnumerable<VmTransaction[]> blocks)
    {
        foreach (var txs in blocks) Add(txs);
    }

    public ValueTask<ulong> GetFinalizedHeightAsync(CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            if (_failuresLeft > 0) { _failuresLeft--; throw new HttpRequestException("node unreachable (test)"); }
            return ValueTask.FromResult((ulong)_blocks.Count);
        }
    }

    public ValueTask<IReadOnlyList<VmBlock>> GetBlocksAsync(ulong vmId, ulong fromBlock, ulong toBlock, CancellationToken cancellationToken = default)
    {
        Assert.True(fromBlock >= 1 && toBlock >= fromBlock && toBlock - fromBlock < IVmBlockSource.MaxBlocksPerRequest, $"bad range {fromBlock}…{toBlock}");
        lock (_gate)
        {
            BlockRequests++;
            ulong last = Math.Min(toBlock, (ulong)_blocks.Count);
            var result = new List<VmBlock>();
            for (ulong n = fromBlock; n <= last; n++) result.Add(_blocks[(int)n - 1]);
            return ValueTask.FromResult<IReadOnlyList<VmBlock>>(result);
        }
    }

    public ValueTask<IReadOnlyList<Hash32>> GetRootsAsync(ulong vmId, ulong fromBlock, ulong toBlock, CancellationToken cancellationToken = default)
    {
        var result = new List<Hash32>();
        for (ulong n = fromBlock; n <= toBlock && n <= (ulong)Roots.Count; n++) result.Add(Roots[(int)n - 1]);
        return ValueTask.FromResult<IReadOnlyList<Hash32>>(result);
    }
}
