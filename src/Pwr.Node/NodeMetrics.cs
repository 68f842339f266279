using Prometheus;
using Pwr.Chain;
using Pwr.Consensus;

namespace Pwr.Node;

/// <summary>
/// The node's Prometheus metrics, in a registry of its own (tests run several nodes in one process). Gauges are
/// read when scraped; the finalized-transaction counter and commit latency are recorded as blocks commit.
/// </summary>
public sealed class NodeMetrics
{
    private readonly ChainApplication _chain;
    private readonly Func<ConsensusStatus> _status;
    private readonly Func<int> _peers;
    private readonly IReadOnlyDictionary<ulong, IVmRootProvider> _vms;
    private readonly TimeProvider _time;
    private readonly Gauge _height, _round, _peerCount, _mempool, _vmHeight, _vmLag, _vmDivergences, _vmAgreed;
    private readonly Gauge _gcCollections, _gcPause, _allocated, _heap, _tps;
    // Finalized blocks of the last TpsWindowMs of chain time: (timestamp, transactions), for the TPS gauge.
    private readonly Queue<(long TimestampMs, int Transactions)> _recent = new();
    private long _recentTransactions;
    private double _recentTps;
    private const long TpsWindowMs = 10_000;
    private readonly Counter _finalizedTxs;
    private readonly Histogram _commitLatency;

    public NodeMetrics(ChainApplication chain, Func<ConsensusStatus> status, Func<int> peers, IReadOnlyDictionary<ulong, IVmRootProvider> vms, TimeProvider time)
    {
        _chain = chain;
        _status = status;
        _peers = peers;
        _vms = vms;
        _time = time;
        Registry = Metrics.NewCustomRegistry();
        var f = Metrics.WithCustomRegistry(Registry);
        _height = f.CreateGauge("pwr_height", "Latest finalized block height.");
        _round = f.CreateGauge("pwr_round", "Consensus round of the height being decided.");
        _peerCount = f.CreateGauge("pwr_peers", "Connected, authenticated peers.");
        _mempool = f.CreateGauge("pwr_mempool_transactions", "Transactions waiting in the mempool.");
        _finalizedTxs = f.CreateCounter("pwr_finalized_transactions_total", "Transactions in finalized blocks (TPS = rate()).");
        _tps = f.CreateGauge("pwr_finalized_tps", "Transactions finalized per second over the last 10 s of block timestamps (0 when no block came in that time).");
        // Blocks come every ~1 s; buckets from 10 ms to ~40 s cover fast devnets and slow rounds.
        _commitLatency = f.CreateHistogram("pwr_commit_latency_seconds", "From a block's proposal timestamp to its commit on this node.",
            new HistogramConfiguration { Buckets = Histogram.ExponentialBuckets(0.01, 2, 13) });
        _vmHeight = f.CreateGauge("pwr_vm_height", "Highest block a VM host has applied.", "vm");
        _vmLag = f.CreateGauge("pwr_vm_lag_blocks", "Finalized blocks a VM host has not applied yet.", "vm");
        _vmDivergences = f.CreateGauge("pwr_vm_divergences_total", "Times a VM host's root disagreed with its peers and it rolled back.", "vm");
        _vmAgreed = f.CreateGauge("pwr_vm_last_agreed_height", "Highest block whose VM root peers confirmed (0 without agreement peers).", "vm");
        // Process-wide .NET GC figures: under load the collector is the largest cost after signature checks.
        _gcCollections = f.CreateGauge("pwr_dotnet_gc_collections_total", "Garbage collections of this process since start, by generation.", "generation");
        _gcPause = f.CreateGauge("pwr_dotnet_gc_pause_seconds_total", "Time this process spent paused for garbage collection.");
        _allocated = f.CreateGauge("pwr_dotnet_allocated_bytes_total", "Bytes this process has allocated on the managed heap.");
        _heap = f.CreateGauge("pwr_dotnet_heap_bytes", "Managed heap size after the last garbage collection.");
        Registry.AddBeforeCollectCallback(Refresh);
        chain.BlockCommitted += OnBlockCommitted;
    }

    public CollectorRegistry Registry { get; }

    private void OnBlockCommitted(Block block)
    {
        _finalizedTxs.Inc(block.Transactions.Count);
        long at = (long)block.Header.TimestampMs;
        lock (_recent)
        {
            _recent.Enqueue((at, block.Transactions.Count));
            _recentTransactions += block.Transactions.Count;
            while (_recent.Count > 2 && at - _recent.Peek().TimestampMs > TpsWindowMs) _recentTransactions -= _recent.Dequeue().Transactions;
            // The oldest block marks the window's start: its transactions were finalized before it.
            var (oldestMs, oldestTxs) = _recent.Peek();
            _recentTps = at > oldestMs ? (_recentTransactions - oldestTxs) * 1000.0 / (at - oldestMs) : 0;
        }
        var nowMs = _time.GetUtcNow().ToUnixTimeMilliseconds();
        _commitLatency.Observe(Math.Max(0, nowMs - (long)block.Header.TimestampMs) / 1000.0);
    }

    private void Refresh()
    {
        ulong height = _chain.Blocks.Height;
        _height.Set(height);
        _round.Set(_status().Round);
        _peerCount.Set(_peers());
        _mempool.Set(_chain.Mempool.Count);
        lock (_recent)
        {
            bool stale = _recent.Count == 0 || _time.GetUtcNow().ToUnixTimeMilliseconds() - (long)_chain.LastHeader.TimestampMs > TpsWindowMs;
            _tps.Set(stale ? 0 : _recentTps);
        }
        for (int g = 0; g <= GC.MaxGeneration; g++) _gcCollections.WithLabels(g.ToString(System.Globalization.CultureInfo.InvariantCulture)).Set(GC.CollectionCount(g));
        _gcPause.Set(GC.GetTotalPauseDuration().TotalSeconds);
        _allocated.Set(GC.GetTotalAllocatedBytes());
        _heap.Set(GC.GetGCMemoryInfo().HeapSizeBytes);
        foreach (var vm in _vms.Values)
        {
            var label = vm.VmId.ToString(System.Globalization.CultureInfo.InvariantCulture);
            ulong vmHeight = vm.Height;
            _vmHeight.WithLabels(label).Set(vmHeight);
            _vmLag.WithLabels(label).Set(height > vmHeight ? height - vmHeight : 0);
            var report = vm.Report;
            _vmDivergences.WithLabels(label).Set(report.DivergencesTotal);
            _vmAgreed.WithLabels(label).Set(report.LastAgreedHeight);
        }
    }

    /// <summary>Stops recording commits (the chain outlives nothing, but tests reuse processes).</summary>
    public void Detach() => _chain.BlockCommitted -= OnBlockCommitted;
}
