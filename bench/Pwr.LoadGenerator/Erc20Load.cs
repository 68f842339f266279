using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Numerics;
using System.Text;
using System.Text.Json;
using Pwr.Core;
using Pwr.Vm.Evm.Transactions;
using Pwr.Vm.Evm.Vm;

namespace Pwr.LoadGenerator;

/// <summary>Settings of one ERC-20 load run against the Ethereum JSON-RPC wrapper.</summary>
public sealed class Erc20LoadOptions
{
    /// <summary>The wrapper's JSON-RPC URL (the devnet's is http://127.0.0.1:8545).</summary>
    public required Uri Rpc { get; init; }
    public int Count { get; init; } = 10_000;
    public int Senders { get; init; } = 200;
    /// <summary>Distinct token recipients the transfers cycle through.</summary>
    public int Recipients { get; init; } = 1_000;
    /// <summary>eth_sendRawTransaction calls per JSON-RPC batch, and batches in flight.</summary>
    public int BatchSize { get; init; } = 200;
    public int Concurrency { get; init; } = 4;
    /// <summary>Target submission rate in tx/s; 0 = as fast as the wrapper takes them.</summary>
    public int Rate { get; init; }
    /// <summary>The first this many of <see cref="Count"/> are sent and finalized before measuring.</summary>
    public int Warmup { get; init; }
    public TimeSpan FinalityTimeout { get; init; } = TimeSpan.FromSeconds(120);
}

/// <summary>What an ERC-20 load run measured, and whether the token balances prove every finalized transfer ran.</summary>
public sealed record Erc20LoadReport(
    int Submitted, int Accepted, int Finalized, IReadOnlyDictionary<string, int> Rejections,
    double SubmitSeconds, double FinalizedTps, double P50LatencyMs, double P99LatencyMs,
    BigInteger TokensReceived, BigInteger TokensExpected);

/// <summary>
/// End-to-end ERC-20 load through the Ethereum wrapper: deploys the solc-compiled bench token, funds senders with
/// gas and tokens, pre-signs EIP-1559 token transfers (secp256k1), submits them as JSON-RPC batches of
/// eth_sendRawTransaction, watches blocks for finality, and finally reads the recipients' token balances.
/// </summary>
public sealed class Erc20Load(Erc20LoadOptions options, Action<string> log)
{
    private static readonly BigInteger Gwei = 1_000_000_000;
    private readonly HttpClient _http = new(new SocketsHttpHandler { MaxConnectionsPerServer = 64 }) { BaseAddress = options.Rpc, Timeout = TimeSpan.FromMinutes(2) };
    private ulong _chainId;
    private int _rpcId;

    public async Task<Erc20LoadReport> RunAsync(CancellationToken ct)
    {
        if (options.Count < 1 || options.Senders < 1 || options.Recipients < 1) throw new ArgumentException("count, senders and recipients must be at least 1");
        _chainId = ParseQuantity(await Call("eth_chainId", "[]", ct));
        var deployerKey = Convert.FromHexString(AnvilAccounts.PrivateKeyStrings[9][2..]);
        var deployer = Secp256k1.EthereumAddressOfPrivateKey(deployerKey);
        int perSender = (options.Count + options.Senders - 1) / options.Senders;

        var senderKeys = new byte[options.Senders][];
        var senders = new Address[options.Senders];
        for (int i = 0; i < senderKeys.Length; i++)
        {
            senderKeys[i] = Keccak.Hash256(Encoding.UTF8.GetBytes($"pwr-bench-erc20/sender/{i}")).ToArray();
            senders[i] = Secp256k1.EthereumAddressOfPrivateKey(senderKeys[i]);
        }
        var recipients = new Address[options.Recipients];
        for (int i = 0; i < recipients.Length; i++)
            recipients[i] = new Address(Keccak.Hash256(Encoding.UTF8.GetBytes($"pwr-bench-erc20/recipient/{i}")).ToArray().AsSpan(0, Address.Size));

        // Deploy a fresh token, so balances start at zero and the final check counts this run only.
        ulong nonce = ParseQuantity(await Call("eth_getTransactionCount", $"[\"{deployer}\",\"pending\"]", ct));
        var token = CreateAddress(deployer, nonce);
        var supply = BigInteger.Pow(10, 30);
        var create = Sign(deployerKey, nonce++, null, 0, Concat(BenchToken.CreationCode, Word(supply)), 3_000_000);
        var setup = new List<byte[]> { create };
        foreach (var s in senders)
        {
            setup.Add(Sign(deployerKey, nonce++, s, Gwei * Gwei, [], 21_000)); // 1 ETH of gas money
            setup.Add(Sign(deployerKey, nonce++, token, 0, TransferCall(s, perSender), 100_000));
        }
        log($"deploying the bench token at {token} and funding {senders.Length} senders ({setup.Count} setup txs)");
        await SubmitAndWaitAsync(setup, ct);

        var senderNonces = new ulong[senders.Length];
        for (int i = 0; i < senders.Length; i++)
            senderNonces[i] = ParseQuantity(await Call("eth_getTransactionCount", $"[\"{senders[i]}\",\"pending\"]", ct));
        var signStart = Stopwatch.GetTimestamp();
        var perSenderTxs = new byte[senders.Length][][];
        Parallel.For(0, senders.Length, i =>
        {
            var list = new byte[perSender][];
            for (int k = 0; k < perSender; k++)
                list[k] = Sign(senderKeys[i], senderNonces[i] + (ulong)k, token, 0, TransferCall(recipients[(i * perSender + k) % recipients.Length], 1), 100_000);
            perSenderTxs[i] = list;
        });
        // Interleave senders so every batch spreads over many accounts, each sender's nonces ascending.
        var all = new List<byte[]>(options.Count);
        for (int k = 0; k < perSender && all.Count < options.Count; k++)
            for (int i = 0; i < senders.Length && all.Count < options.Count; i++)
                all.Add(perSenderTxs[i][k]);
        log($"{all.Count} ERC-20 transfers signed in {Stopwatch.GetElapsedTime(signStart).TotalSeconds:F1} s");

        int warmFinalized = 0;
        if (options.Warmup > 0 && options.Warmup < all.Count)
        {
            var warm = await SubmitAndMeasureAsync(all[..options.Warmup], ct);
            warmFinalized = warm.Finalized;
            log($"warm-up: {warm.Finalized} finalized at {warm.Tps:F0} TPS");
            all = all[options.Warmup..];
        }
        var run = await SubmitAndMeasureAsync(all, ct);

        // Every finalized transfer moves one token unit to a recipient: the balances prove the EVM executed them.
        BigInteger received = 0;
        for (int from = 0; from < recipients.Length; from += 200)
        {
            var calls = new List<string>();
            for (int i = from; i < Math.Min(recipients.Length, from + 200); i++)
                calls.Add(Request("eth_call", $"[{{\"to\":\"{token}\",\"data\":\"0x70a08231{Convert.ToHexStringLower(Word(recipients[i]))}\"}},\"latest\"]"));
            foreach (var r in await Batch(calls, ct))
                if (r.TryGetProperty("error", out var e)) throw new InvalidOperationException($"balanceOf call failed: {e}");
                else received += BigInteger.Parse("0" + r.GetProperty("result").GetString()![2..], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
        }
        int expected = warmFinalized + run.Finalized;
        return new Erc20LoadReport(run.Submitted, run.Accepted, run.Finalized, run.Rejections, run.SubmitSeconds, run.Tps,
            run.P50, run.P99, received, expected);
    }

    private sealed record Measured(int Submitted, int Accepted, int Finalized, Dictionary<string, int> Rejections, double SubmitSeconds, double Tps, double P50, double P99);

    private async Task<Measured> SubmitAndMeasureAsync(List<byte[]> txs, CancellationToken ct)
    {
        var hashes = txs.Select(t => Keccak.Hash256(t)).ToArray();
        var watch = new FinalityWatch(txs.Count);
        var rejections = new ConcurrentDictionary<string, int>();
        int accepted = 0;
        ulong startHeight = ParseQuantity(await Call("eth_blockNumber", "[]", ct));
        using var watchStop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var watcher = watch.WatchAsync(startHeight,
            async c => ParseQuantity(await Call("eth_blockNumber", "[]", c)),
            async (n, c) => (await CallElement("eth_getBlockByNumber", $"[\"0x{n:x}\",false]", c)).GetProperty("transactions")
                .EnumerateArray().Select(h => Hash32.Parse(h.GetString()!)).ToList(),
            watchStop.Token);

        long start = Stopwatch.GetTimestamp();
        var batches = Enumerable.Range(0, (txs.Count + options.BatchSize - 1) / options.BatchSize).ToArray();
        await Parallel.ForEachAsync(batches, new ParallelOptions { MaxDegreeOfParallelism = options.Concurrency, CancellationToken = ct }, async (b, c) =>
        {
            int from = b * options.BatchSize, to = Math.Min(txs.Count, from + options.BatchSize);
            if (options.Rate > 0)
            {
                var due = TimeSpan.FromSeconds((double)from / options.Rate) - Stopwatch.GetElapsedTime(start);
                if (due > TimeSpan.Zero) await Task.Delay(due, c);
            }
            var calls = new List<string>(to - from);
            long now = Stopwatch.GetTimestamp();
            for (int i = from; i < to; i++)
            {
                calls.Add(Request("eth_sendRawTransaction", $"[\"0x{Convert.ToHexStringLower(txs[i])}\"]", id: i));
                watch.Submitted(i, hashes[i], now);
            }
            var answers = await Batch(calls, c);
            int ok = 0;
            foreach (var a in answers)
            {
                int index = a.GetProperty("id").GetInt32();
                if (a.TryGetProperty("error", out var e))
                {
                    watch.Refused(hashes[index]);
                    rejections.AddOrUpdate(e.GetProperty("message").GetString() ?? "?", 1, (_, n) => n + 1);
                }
                else ok++;
            }
            Interlocked.Add(ref accepted, ok);
        });
        double submitSeconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
        log($"submitted {txs.Count} in {submitSeconds:F2} s; waiting for finality");
        await watch.WaitAsync(options.FinalityTimeout, ct);
        watchStop.Cancel();
        await watcher;
        var f = watch.Figures(start);
        return new Measured(txs.Count, accepted, f.Finalized, rejections.ToDictionary(), submitSeconds, f.Tps, f.P50LatencyMs, f.P99LatencyMs);
    }

    private async Task SubmitAndWaitAsync(List<byte[]> txs, CancellationToken ct)
    {
        for (int from = 0; from < txs.Count; from += options.BatchSize)
        {
            var calls = txs.Skip(from).Take(options.BatchSize).Select(t => Request("eth_sendRawTransaction", $"[\"0x{Convert.ToHexStringLower(t)}\"]")).ToList();
            foreach (var a in await Batch(calls, ct))
                if (a.TryGetProperty("error", out var e)) throw new InvalidOperationException($"setup transaction refused: {e.GetProperty("message").GetString()}");
        }
        var last = Keccak.Hash256(txs[^1]).ToString();
        var deadline = Stopwatch.GetTimestamp() + (long)(options.FinalityTimeout.TotalSeconds * Stopwatch.Frequency);
        while (Stopwatch.GetTimestamp() < deadline)
        {
            var receipt = await CallElement("eth_getTransactionReceipt", $"[\"{last}\"]", ct);
            if (receipt.ValueKind == JsonValueKind.Object)
            {
                if (receipt.GetProperty("status").GetString() != "0x1") throw new InvalidOperationException($"setup transaction {last} reverted");
                return;
            }
            await Task.Delay(100, ct);
        }
        throw new TimeoutException("setup transactions were not finalized in time; is the devnet producing blocks?");
    }

    private byte[] Sign(byte[] key, ulong nonce, Address? to, BigInteger value, byte[] data, ulong gas)
        => TransactionSigner.Sign(new UnsignedTransaction
        {
            Type = EthereumTransactionType.DynamicFee,
            ChainId = _chainId,
            Nonce = nonce,
            MaxPriorityFeePerGas = 0,
            MaxFeePerGas = 2 * Gwei,
            GasLimit = gas,
            To = to,
            Value = value,
            Data = data,
        }, key);

    /// <summary>CREATE's address: the last 20 bytes of Keccak-256(rlp([sender, nonce])).</summary>
    private static Address CreateAddress(Address sender, ulong nonce)
    {
        var n = new BigInteger(nonce).ToByteArray(isUnsigned: true, isBigEndian: true);
        byte[] nonceRlp = nonce == 0 ? [0x80] : nonce < 0x80 ? [(byte)nonce] : [(byte)(0x80 + n.Length), .. n];
        var payload = Concat([0x94], sender.ToArray(), nonceRlp);
        var hash = Keccak.Hash256(Concat([(byte)(0xc0 + payload.Length)], payload)).ToArray();
        return new Address(hash.AsSpan(12));
    }

    private static byte[] TransferCall(Address to, long amount) => Concat([0xa9, 0x05, 0x9c, 0xbb], Word(to), Word(amount));

    private static byte[] Word(Address a)
    {
        var w = new byte[32];
        a.WriteTo(w.AsSpan(12));
        return w;
    }

    private static byte[] Word(BigInteger v)
    {
        var w = new byte[32];
        v.TryWriteBytes(w.AsSpan(32 - v.GetByteCount(isUnsigned: true)), out _, isUnsigned: true, isBigEndian: true);
        return w;
    }

    private static byte[] Concat(params byte[][] parts)
    {
        var all = new byte[parts.Sum(p => p.Length)];
        int o = 0;
        foreach (var p in parts) { p.CopyTo(all, o); o += p.Length; }
        return all;
    }

    private static ulong ParseQuantity(JsonElement e) => ulong.Parse(e.GetString()![2..], NumberStyles.HexNumber, CultureInfo.InvariantCulture);

    private string Request(string method, string paramsJson, int? id = null)
    {
        id ??= Interlocked.Increment(ref _rpcId);
        return $"{{\"jsonrpc\":\"2.0\",\"id\":{id},\"method\":\"{method}\",\"params\":{paramsJson}}}";
    }

    private async Task<JsonElement> Call(string method, string paramsJson, CancellationToken ct)
        => await CallElement(method, paramsJson, ct);

    private async Task<JsonElement> CallElement(string method, string paramsJson, CancellationToken ct)
    {
        var answer = await Post(Request(method, paramsJson), ct);
        if (answer.TryGetProperty("error", out var e)) throw new InvalidOperationException($"{method} failed: {e.GetProperty("message").GetString()}");
        return answer.GetProperty("result");
    }

    /// <summary>One JSON-RPC batch; answers come back in request order (matched by id).</summary>
    private async Task<JsonElement[]> Batch(List<string> requests, CancellationToken ct)
    {
        var answer = await Post("[" + string.Join(',', requests) + "]", ct);
        var list = answer.EnumerateArray().ToArray();
        Array.Sort(list, (a, b) => a.GetProperty("id").GetInt32().CompareTo(b.GetProperty("id").GetInt32()));
        return list;
    }

    private async Task<JsonElement> Post(string body, CancellationToken ct)
    {
        using var content = new StringContent(body, Encoding.UTF8, "application/json");
        using var r = await _http.PostAsync("", content, ct);
        var text = await r.Content.ReadAsStringAsync(ct);
        if (!r.IsSuccessStatusCode) throw new InvalidOperationException($"JSON-RPC answered {(int)r.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    public static string Format(Erc20LoadReport r) => FormattableString.Invariant(
        $"submitted {r.Submitted}, accepted {r.Accepted}, finalized {r.Finalized}, finalized ERC-20 TPS {r.FinalizedTps:F0}, p50 {r.P50LatencyMs:F0} ms, p99 {r.P99LatencyMs:F0} ms, submit {r.SubmitSeconds:F2} s, tokens received {r.TokensReceived} of {r.TokensExpected} finalized transfers (warm-up included)")
        + (r.Rejections.Count > 0 ? ", rejected: " + string.Join(", ", r.Rejections.Select(kv => $"{kv.Key}={kv.Value}")) : "");
}

/// <summary>The bench token's creation code, from the solc artifact embedded in this assembly.</summary>
internal static class BenchToken
{
    public static readonly byte[] CreationCode = Load();

    private static byte[] Load()
    {
        using var stream = typeof(BenchToken).Assembly.GetManifestResourceStream("workloads.json")
            ?? throw new InvalidOperationException("workloads.json is not embedded");
        using var doc = JsonDocument.Parse(stream);
        return Convert.FromHexString(doc.RootElement.GetProperty("token").GetProperty("creationCode").GetString()![2..]);
    }
}
