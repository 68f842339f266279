using System.Collections.Concurrent;
using Pwr.Cli.Tests.Infrastructure;
using Pwr.Core;

namespace Pwr.Cli.Tests.Faults;

/// <summary>
/// Background load for the crash tests: several dev accounts keep sending signed PWR transfers to whichever nodes are
/// alive, and every transaction seen in a finalized block (GET /transactionByHash answers) is recorded as acknowledged.
/// Each (sender, nonce) is signed once and only ever resubmitted byte for byte, so a node killed with the transaction
/// in its mempool costs a retry, never a second transaction with the same nonce.
/// </summary>
internal sealed class CrashLoad : IAsyncDisposable
{
    private const int Burst = 4;
    private static readonly TimeSpan BurstWait = TimeSpan.FromSeconds(8);

    private readonly Func<IReadOnlyList<NodeApi>> _liveNodes;
    private readonly ConcurrentDictionary<Hash32, byte> _acked = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _senders = [];
    private int _broadcastErrors;

    private CrashLoad(Func<IReadOnlyList<NodeApi>> liveNodes) => _liveNodes = liveNodes;

    /// <summary>Hashes seen finalized on some node (the set the invariants check on every node).</summary>
    public IReadOnlyCollection<Hash32> Acknowledged => _acked.Keys.ToList();
    public int AcknowledgedCount => _acked.Count;
    public int BroadcastErrors => Volatile.Read(ref _broadcastErrors);

    /// <summary>Starts one sender loop per dev account in <paramref name="senders"/> (transfers to fixed receivers).</summary>
    public static CrashLoad Start(Func<IReadOnlyList<NodeApi>> liveNodes, IEnumerable<int> senders, string label)
    {
        var load = new CrashLoad(liveNodes);
        foreach (var s in senders)
        {
            var key = Keys.Dev(s);
            var receiver = Keys.Receiver($"{label}/{s}");
            load._senders.Add(Task.Run(() => load.SendLoopAsync(key, receiver)));
        }
        return load;
    }

    private async Task SendLoopAsync(FalconKeyPair key, Address receiver)
    {
        var ct = _stop.Token;
        var signed = new Dictionary<uint, byte[]>();
        uint next = 0; // dev accounts start at nonce 0 in the init genesis
        int turn = Random.Shared.Next(16);
        while (!ct.IsCancellationRequested)
        {
            try
            {
                var burst = new List<(uint Nonce, Hash32 Hash, byte[] Tx)>();
                for (uint n = next; n < next + Burst; n++)
                {
                    if (!signed.TryGetValue(n, out var tx)) signed[n] = tx = Txs.Transfer(key, n, receiver, 1_000 + n);
                    burst.Add((n, Txs.Hash(tx), tx));
                }
                var nodes = _liveNodes();
                if (nodes.Count == 0) { await Task.Delay(200, ct); continue; }
                var target = nodes[turn++ % nodes.Count];
                foreach (var (_, hash, tx) in burst)
                {
                    if (_acked.ContainsKey(hash)) continue;
                    try { await target.BroadcastAsync(tx); }
                    catch (Exception e) when (e is HttpRequestException or TaskCanceledException) { Interlocked.Increment(ref _broadcastErrors); }
                }

                var deadline = DateTime.UtcNow + BurstWait;
                while (!ct.IsCancellationRequested && DateTime.UtcNow < deadline)
                {
                    nodes = _liveNodes();
                    if (nodes.Count > 0)
                    {
                        var probe = nodes[turn++ % nodes.Count];
                        foreach (var (_, hash, _) in burst)
                        {
                            if (_acked.ContainsKey(hash)) continue;
                            try
                            {
                                if ((await probe.GetRawAsync($"/transactionByHash?hash={hash}")).Status == 200) _acked.TryAdd(hash, 0);
                            }
                            catch (Exception e) when (e is HttpRequestException or TaskCanceledException) { break; }
                        }
                    }
                    if (burst.All(b => _acked.ContainsKey(b.Hash))) break;
                    await Task.Delay(250, ct);
                }
                // Move past the prefix that is finalized; anything after a gap is resubmitted unchanged.
                while (signed.TryGetValue(next, out var done) && _acked.ContainsKey(Txs.Hash(done))) next++;
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested) { return; }
        }
    }

    /// <summary>Stops submitting; what was acknowledged stays acknowledged.</summary>
    public async Task StopAsync()
    {
        await _stop.CancelAsync();
        await Task.WhenAll(_senders).WaitAsync(TimeSpan.FromSeconds(30));
    }

    public async ValueTask DisposeAsync()
    {
        if (!_stop.IsCancellationRequested)
        {
            try { await StopAsync(); }
            catch (TimeoutException) { }
        }
        _stop.Dispose();
    }
}
