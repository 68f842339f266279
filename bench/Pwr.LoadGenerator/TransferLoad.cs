using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Pwr.Core;

namespace Pwr.LoadGenerator;

/// <summary>Settings of one transfer load run.</summary>
public sealed class TransferLoadOptions
{
    public required Uri Node { get; init; }
    public int Count { get; init; } = 10_000;
    public int Senders { get; init; } = 100;
    /// <summary>Target submission rate in tx/s; 0 = as fast as the node takes them.</summary>
    public int Rate { get; init; }
    /// <summary>Transactions per /broadcastBatch call, and concurrent calls.</summary>
    public int BatchSize { get; init; } = 500;
    public int Concurrency { get; init; } = 4;
    /// <summary>Where pre-signed transactions and sender keys are cached between runs.</summary>
    public required string CacheDir { get; init; }
    public TimeSpan FinalityTimeout { get; init; } = TimeSpan.FromSeconds(120);
    /// <summary>
    /// The first this many of <see cref="Count"/> are sent and finalized before measuring, so the figures are the
    /// node's steady state rather than its JIT warm-up; 0 measures from a cold node.
    /// </summary>
    public int Warmup { get; init; }
}

/// <summary>What a load run measured.</summary>
public sealed record TransferLoadReport(
    int Submitted, int Accepted, int Finalized, IReadOnlyDictionary<string, int> Rejections,
    double SubmitSeconds, double FinalizedTps, double P50LatencyMs, double P99LatencyMs, double SigningSeconds, bool SigningCached);

/// <summary>
/// End-to-end load: funds benchmark senders from dev0, pre-signs transfers (cached on disk, since Falcon signing
/// costs ~2 ms each), submits them concurrently in batches, and watches blocks for finality to measure TPS and
/// submit-to-finality latency.
/// </summary>
public sealed class TransferLoad(TransferLoadOptions options, Action<string> log)
{
    private readonly HttpClient _http = new(new SocketsHttpHandler { MaxConnectionsPerServer = 64 }) { BaseAddress = options.Node, Timeout = TimeSpan.FromMinutes(2) };

    public async Task<TransferLoadReport> RunAsync(CancellationToken ct)
    {
        byte chainId = (await Get("/chainId", ct)).GetProperty("chainId").GetByte();
        ulong fee = (await Get("/feePerByte", ct)).GetProperty("feePerByte").GetUInt64();
        int perSender = (options.Count + options.Senders - 1) / options.Senders;
        Directory.CreateDirectory(options.CacheDir);

        log($"deriving {options.Senders} sender keys");
        var senders = new FalconKeyPair[options.Senders];
        Parallel.For(0, senders.Length, i => senders[i] = LoadOrCreateKey(i));

        await FundAndRegisterAsync(senders, chainId, fee, perSender, ct);

        var signStart = Stopwatch.GetTimestamp();
        var (txs, cached) = await PresignAsync(senders, chainId, fee, perSender, ct);
        var signingSeconds = Stopwatch.GetElapsedTime(signStart).TotalSeconds;
        log($"{txs.Count} transfers ready ({(cached ? "from cache" : $"signed in {signingSeconds:F1} s")}); load generator CPU so far {Environment.CpuUsage.TotalTime.TotalSeconds:F1} s");

        if (options.Warmup > 0 && options.Warmup < txs.Count)
        {
            var warm = await SubmitAndMeasureAsync(txs[..options.Warmup], signingSeconds, cached, ct);
            log($"warm-up: {Format(warm)}");
            txs = txs[options.Warmup..];
        }
        return await SubmitAndMeasureAsync(txs, signingSeconds, cached, ct);
    }

    private FalconKeyPair LoadOrCreateKey(int i)
    {
        var path = Path.Combine(options.CacheDir, "keys", $"sender{i}.json");
        if (File.Exists(path)) return KeyFile.Load(path);
        var key = DevnetKeys.FromLabel($"bench/sender/{i}");
        KeyFile.Save(path, key);
        return key;
    }

    private async Task FundAndRegisterAsync(FalconKeyPair[] senders, byte chainId, ulong fee, int perSender, CancellationToken ct)
    {
        var funder = DevnetKeys.Account(0);
        ulong need = (ulong)perSender * fee * 1000 + fee * 2000;
        uint nonce = await Nonce(funder.Address, ct);
        var funding = new List<byte[]>();
        foreach (var s in senders)
            if (await Balance(s.Address, ct) < need)
                funding.Add(TransactionBuilder.Sign(TransactionBuilder.Transfer(chainId, nonce++, fee, funder.Address, s.Address, need * 2), funder));
        if (funding.Count > 0)
        {
            log($"funding {funding.Count} senders from dev0");
            await SubmitAllAndWaitAsync(funding, ct);
        }
        var keys = new ConcurrentBag<byte[]>();
        await Parallel.ForEachAsync(senders, ct, async (s, c) =>
        {
            var pk = (await Get($"/publicKeyOfUser?userAddress={s.Address}", c)).GetProperty("publicKey");
            if (pk.ValueKind == JsonValueKind.Null)
                keys.Add(TransactionBuilder.Sign(TransactionBuilder.SetPublicKey(chainId, await Nonce(s.Address, c), fee, s.Address, s.PublicKey), s));
        });
        if (!keys.IsEmpty)
        {
            log($"registering {keys.Count} sender public keys");
            await SubmitAllAndWaitAsync(keys.ToList(), ct);
        }
    }

    private async Task<(List<byte[]> Txs, bool Cached)> PresignAsync(FalconKeyPair[] senders, byte chainId, ulong fee, int perSender, CancellationToken ct)
    {
        var receiver = DevnetKeys.Account(9).Address;
        var perSenderTxs = new List<byte[]>[senders.Length];
        int signedNow = 0;
        var nonces = new uint[senders.Length];
        await Parallel.ForEachAsync(Enumerable.Range(0, senders.Length), ct, async (i, c) => nonces[i] = await Nonce(senders[i].Address, c));
        Parallel.For(0, senders.Length, i =>
        {
            var path = Path.Combine(options.CacheDir, "signed", $"c{chainId}-f{fee}-s{i}-n{nonces[i]}-k{perSender}.bin");
            if (File.Exists(path)) { perSenderTxs[i] = SignedTransactionFile.Read(path); return; }
            var list = new List<byte[]>(perSender);
            for (int k = 0; k < perSender; k++)
                list.Add(TransactionBuilder.Sign(TransactionBuilder.Transfer(chainId, nonces[i] + (uint)k, fee, senders[i].Address, receiver, 1), senders[i]));
            SignedTransactionFile.Write(path, list);
            perSenderTxs[i] = list;
            Interlocked.Add(ref signedNow, list.Count);
        });
        // Interleave senders so every batch spreads across many accounts, nonces ascending per sender.
        var all = new List<byte[]>(options.Count);
        for (int k = 0; k < perSender && all.Count < options.Count; k++)
            for (int i = 0; i < senders.Length && all.Count < options.Count; i++)
                all.Add(perSenderTxs[i][k]);
        return (all, signedNow == 0);
    }

    private async Task<TransferLoadReport> SubmitAndMeasureAsync(List<byte[]> txs, double signingSeconds, bool cached, CancellationToken ct)
    {
        var hashes = txs.Select(t => Keccak.Hash256(t)).ToArray();
        var watch = new FinalityWatch(txs.Count);
        var rejections = new ConcurrentDictionary<string, int>();
        int accepted = 0;
        ulong startHeight = (await Get("/blocksCount", ct)).GetProperty("blocksCount").GetUInt64();
        using var watchStop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var watcher = watch.WatchAsync(startHeight,
            async c => (await Get("/blocksCount", c)).GetProperty("blocksCount").GetUInt64(),
            BlockHashes,
            watchStop.Token);

        var batches = Enumerable.Range(0, (txs.Count + options.BatchSize - 1) / options.BatchSize).ToArray();
        // Bodies are encoded before the clock starts: the generator shares the node's cores, so it should spend
        // them on sending, not on copying.
        var bodies = batches.Select(b => LengthPrefixed.Encode(txs, b * options.BatchSize, Math.Min(txs.Count, (b + 1) * options.BatchSize))).ToArray();
        long start = Stopwatch.GetTimestamp();
        await Parallel.ForEachAsync(batches, new ParallelOptions { MaxDegreeOfParallelism = options.Concurrency, CancellationToken = ct }, async (b, c) =>
        {
            int from = b * options.BatchSize, to = Math.Min(txs.Count, from + options.BatchSize);
            if (options.Rate > 0)
            {
                var due = TimeSpan.FromSeconds((double)from / options.Rate) - Stopwatch.GetElapsedTime(start);
                if (due > TimeSpan.Zero) await Task.Delay(due, c);
            }
            long now = Stopwatch.GetTimestamp();
            for (int i = from; i < to; i++) watch.Submitted(i, hashes[i], now);
            var response = await PostBinary("/broadcastBatch", bodies[b], c);
            int refused = 0;
            foreach (var r in response.GetProperty("rejected").EnumerateArray())
            {
                watch.Refused(hashes[from + r.GetProperty("index").GetInt32()]);
                rejections.AddOrUpdate(r.GetProperty("reason").GetString() ?? "?", 1, (_, n) => n + 1);
                refused++;
            }
            Interlocked.Add(ref accepted, to - from - refused);
        });
        double submitSeconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
        log($"submitted {txs.Count} in {submitSeconds:F2} s; waiting for finality; load generator CPU so far {Environment.CpuUsage.TotalTime.TotalSeconds:F1} s");

        await watch.WaitAsync(options.FinalityTimeout, ct);
        watchStop.Cancel();
        await watcher;

        log($"load generator CPU in all {Environment.CpuUsage.TotalTime.TotalSeconds:F1} s");
        var f = watch.Figures(start);
        return new TransferLoadReport(txs.Count, accepted, f.Finalized, rejections.ToDictionary(), submitSeconds,
            f.Tps, f.P50LatencyMs, f.P99LatencyMs, signingSeconds, cached);
    }

    private async Task SubmitAllAndWaitAsync(List<byte[]> txs, CancellationToken ct)
    {
        var response = await Post("/broadcastBatch", new { txns = txs.Select(t => Convert.ToHexStringLower(t)).ToArray() }, ct);
        var hashes = new List<string>();
        foreach (var r in response.GetProperty("results").EnumerateArray())
        {
            if (r.TryGetProperty("hash", out var h)) hashes.Add(h.GetString()!);
            else throw new InvalidOperationException($"setup transaction refused: {r.GetProperty("error").GetString()}");
        }
        foreach (var h in hashes)
        {
            while (true)
            {
                var resp = await _http.GetAsync($"/transactionByHash?hash={h}", ct);
                if (resp.IsSuccessStatusCode) break;
                await Task.Delay(100, ct);
            }
        }
    }

    /// <summary>A block's transaction hashes in the node's binary form (32 bytes each): no hex to parse while the
    /// generator shares the node's cores.</summary>
    private async Task<IEnumerable<Hash32>> BlockHashes(ulong number, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/blockTxHashes?blockNumber={number}");
        request.Headers.Accept.ParseAdd("application/octet-stream");
        using var r = await _http.SendAsync(request, ct);
        var raw = await r.Content.ReadAsByteArrayAsync(ct);
        if (!r.IsSuccessStatusCode) throw new InvalidOperationException($"GET /blockTxHashes?blockNumber={number} answered {(int)r.StatusCode}");
        if (raw.Length % Hash32.Size != 0) throw new InvalidOperationException($"/blockTxHashes answered {raw.Length} bytes, not a multiple of {Hash32.Size}");
        var hashes = new Hash32[raw.Length / Hash32.Size];
        for (int i = 0; i < hashes.Length; i++) hashes[i] = new Hash32(raw.AsSpan(i * Hash32.Size, Hash32.Size));
        return hashes;
    }

    private async Task<uint> Nonce(Address a, CancellationToken ct) => (await Get($"/nonceOfUser?userAddress={a}", ct)).GetProperty("nonce").GetUInt32();
    private async Task<ulong> Balance(Address a, CancellationToken ct) => (await Get($"/balanceOf?address={a}", ct)).GetProperty("balance").GetUInt64();

    private async Task<JsonElement> Get(string path, CancellationToken ct)
    {
        using var r = await _http.GetAsync(path, ct);
        var text = await r.Content.ReadAsStringAsync(ct);
        if (!r.IsSuccessStatusCode) throw new InvalidOperationException($"GET {path} answered {(int)r.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    /// <summary>Posts a binary batch body, (u32 length ‖ signed tx)*: no hex, no per-tx JSON.</summary>
    private async Task<JsonElement> PostBinary(string path, byte[] body, CancellationToken ct)
    {
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/octet-stream");
        using var r = await _http.PostAsync(path, content, ct);
        var text = await r.Content.ReadAsStringAsync(ct);
        if (!r.IsSuccessStatusCode) throw new InvalidOperationException($"POST {path} answered {(int)r.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    private async Task<JsonElement> Post(string path, object body, CancellationToken ct)
    {
        using var r = await _http.PostAsJsonAsync(path, body, ct);
        var text = await r.Content.ReadAsStringAsync(ct);
        if (!r.IsSuccessStatusCode) throw new InvalidOperationException($"POST {path} answered {(int)r.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    public static string Format(TransferLoadReport r) => FormattableString.Invariant(
        $"submitted {r.Submitted}, accepted {r.Accepted}, finalized {r.Finalized}, finalized TPS {r.FinalizedTps:F0}, p50 {r.P50LatencyMs:F0} ms, p99 {r.P99LatencyMs:F0} ms, submit {r.SubmitSeconds:F2} s")
        + (r.Rejections.Count > 0 ? ", rejected: " + string.Join(", ", r.Rejections.Select(kv => $"{kv.Key}={kv.Value}")) : "");
}
