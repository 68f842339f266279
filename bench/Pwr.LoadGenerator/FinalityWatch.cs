using System.Collections.Concurrent;
using System.Diagnostics;
using Pwr.Core;

namespace Pwr.LoadGenerator;

/// <summary>What a watched load run measured: finalized count, finalized TPS from the first submit to the last
/// finality, and submit-to-finality latency percentiles.</summary>
public readonly record struct FinalityFigures(int Finalized, double Tps, double P50LatencyMs, double P99LatencyMs);

/// <summary>
/// Follows submitted transactions until new blocks list them: polls the chain height, reads each new block's
/// transaction hashes, and records each transaction's submit-to-finality latency. Shared by the load generators,
/// which differ only in how they submit and how they read a block.
/// </summary>
public sealed class FinalityWatch(int count)
{
    private readonly long[] _submitTicks = new long[count];
    private readonly ConcurrentDictionary<Hash32, int> _pending = new();
    private readonly ConcurrentBag<double> _latencies = [];
    private int _finalized;
    private long _lastFinalTicks;

    public bool AllSettled => _pending.IsEmpty;

    public void Submitted(int index, in Hash32 hash, long ticks)
    {
        _submitTicks[index] = ticks;
        _pending[hash] = index;
    }

    /// <summary>The node refused it: it will never be finalized.</summary>
    public void Refused(in Hash32 hash) => _pending.TryRemove(hash, out _);

    /// <summary>Polls until cancelled: <paramref name="height"/> gives the head, <paramref name="blockHashes"/> a block's tx hashes.</summary>
    public Task WatchAsync(ulong startHeight, Func<CancellationToken, Task<ulong>> height,
        Func<ulong, CancellationToken, Task<IEnumerable<Hash32>>> blockHashes, CancellationToken ct)
        => Task.Run(async () =>
        {
            ulong seen = startHeight;
            while (!ct.IsCancellationRequested)
            {
                try
                {
                    ulong head = await height(ct);
                    for (ulong n = seen + 1; n <= head; n++)
                    {
                        var hashes = await blockHashes(n, ct);
                        long now = Stopwatch.GetTimestamp();
                        foreach (var h in hashes)
                            if (_pending.TryRemove(h, out int index))
                            {
                                _latencies.Add(Stopwatch.GetElapsedTime(_submitTicks[index], now).TotalMilliseconds);
                                Interlocked.Increment(ref _finalized);
                                _lastFinalTicks = now;
                            }
                    }
                    seen = head;
                    await Task.Delay(20, ct);
                }
                catch (OperationCanceledException) { return; }
            }
        }, CancellationToken.None);

    /// <summary>Waits until every accepted transaction is finalized or the timeout passes.</summary>
    public async Task WaitAsync(TimeSpan timeout, CancellationToken ct)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        while (!_pending.IsEmpty && Stopwatch.GetTimestamp() < deadline) await Task.Delay(50, ct);
    }

    public FinalityFigures Figures(long startTicks)
    {
        var sorted = _latencies.OrderBy(x => x).ToArray();
        double span = _lastFinalTicks > startTicks ? Stopwatch.GetElapsedTime(startTicks, _lastFinalTicks).TotalSeconds : double.NaN;
        return new FinalityFigures(_finalized, _finalized / span, Percentile(sorted, 0.50), Percentile(sorted, 0.99));
    }

    private static double Percentile(double[] sorted, double p)
        => sorted.Length == 0 ? double.NaN : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];
}
