using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Pwr.Chain;
using Pwr.Core;

namespace Pwr.Node;

/// <summary>
/// The PWR HTTP API: PWR's endpoint names, JSON answers, and for bad input a 4xx with {"error": "..."}.
/// </summary>
/// <param name="admitted">Called with each transaction this node admitted through the API (a BFT node gossips it to peers).</param>
public sealed class PwrHttpApi(ChainApplication chain, NodeOptions options, IReadOnlyDictionary<ulong, IVmRootProvider> vmRoots,
    Action<byte[]>? admitted = null)
{
    public void Map(WebApplication app)
    {
        app.MapGet("/chainId", () => Results.Json(new { chainId = chain.ChainId }));
        app.MapGet("/feePerByte", () => Results.Json(new { feePerByte = chain.Options.MinFeePerByte }));
        app.MapGet("/blocksCount", () => Results.Json(new { blocksCount = chain.Blocks.Height }));
        app.MapGet("/nodeStatus", NodeStatus);
        app.MapGet("/block", (HttpContext c) => Block(c, withTransactions: false));
        app.MapGet("/blockWithTransactions", (HttpContext c) => Block(c, withTransactions: true));
        app.MapGet("/blockTxHashes", BlockTxHashes);
        app.MapGet("/transactionByHash", TransactionByHash);
        app.MapGet("/balanceOf", (HttpContext c) => AccountField(c, "address", a => new { balance = chain.Ledger.GetAccount(a).Balance }));
        app.MapGet("/nonceOfUser", (HttpContext c) => AccountField(c, "userAddress", a => new { nonce = chain.Ledger.GetAccount(a).Nonce }));
        app.MapGet("/publicKeyOfUser", (HttpContext c) => AccountField(c, "userAddress", a => new { publicKey = chain.Ledger.GetAccount(a).PublicKey is { } k ? Hex.Encode(k) : null }));
        app.MapGet("/ownerOfVidaId", OwnerOfVmId);
        app.MapGet("/getVidaTransactions", GetVmTransactions);
        app.MapGet("/vmBlocks", VmBlocks);
        app.MapGet("/rootHash", RootHash);
        app.MapGet("/rootHashes", RootHashes);
        VmStatusEndpoint.Map(app, vmRoots, () => chain.Blocks.Height);
        app.MapPost("/broadcast", (Delegate)Broadcast);
        app.MapPost("/broadcastBatch", (Delegate)BroadcastBatch);
        StakingEndpoints.Map(app, chain);
        app.MapFallback((HttpContext c) => Error(404, $"no endpoint {c.Request.Method} {c.Request.Path}; see the README's API list"));
    }

    private IResult NodeStatus()
    {
        var head = chain.LastHeader;
        return Results.Json(new
        {
            chainId = chain.ChainId,
            blocksCount = head.Number,
            latestBlockHash = head.Hash.ToString(),
            latestBlockTimestamp = head.TimestampMs,
            mempoolSize = chain.Mempool.Count,
            mempoolBytes = chain.Mempool.Bytes,
            vms = vmRoots.Values.Select(v => new { vidaId = v.VmId, height = v.Height, status = v.Status }),
        });
    }

    private IResult Block(HttpContext c, bool withTransactions)
    {
        if (!TryU64(c, "blockNumber", out var number, out var err)) return err;
        var header = chain.Blocks.GetHeader(number);
        if (header is null) return Error(404, $"block {number} does not exist; the latest is {chain.Blocks.Height}");
        var commit = chain.Blocks.GetCommit(number);
        if (!withTransactions) return Results.Json(new { block = JsonShapes.Header(header, commit, chain.Blocks.GetTransactionCount(number)) });
        var txs = chain.Blocks.GetTransactions(number);
        var shape = JsonShapes.Header(header, commit, txs.Count);
        shape["transactions"] = txs.Select(t => JsonShapes.Transaction(t.Transaction, t, header.TimestampMs)).ToList();
        return Results.Json(new { block = shape });
    }

    private IResult BlockTxHashes(HttpContext c)
    {
        if (!TryU64(c, "blockNumber", out var number, out var err)) return err;
        var header = chain.Blocks.GetHeader(number);
        if (header is null) return Error(404, $"block {number} does not exist; the latest is {chain.Blocks.Height}");
        var hashes = chain.Blocks.GetTransactionHashes(number);
        // Binary on request: 32 bytes per hash, in block order. A full block lists tens of thousands; as JSON that is
        // megabytes of hex for a finality watcher that only compares them.
        if (c.Request.Headers.Accept.ToString().Contains("application/octet-stream", StringComparison.OrdinalIgnoreCase))
        {
            var raw = new byte[hashes.Count * Hash32.Size];
            for (int i = 0; i < hashes.Count; i++) hashes[i].WriteTo(raw.AsSpan(i * Hash32.Size));
            return Results.Bytes(raw, "application/octet-stream");
        }
        return Results.Json(new { blockNumber = number, timestamp = header.TimestampMs, hashes = hashes.Select(h => h.ToString()) });
    }

    private IResult TransactionByHash(HttpContext c)
    {
        if (!Hash32.TryParse(c.Request.Query["hash"], out var hash)) return Error(400, "query parameter 'hash' must be a 32-byte hex hash");
        var stored = chain.Blocks.GetTransaction(hash);
        if (stored is null)
            return chain.Mempool.Contains(hash)
                ? Results.Json(new { pending = true, transaction = (object?)null }, statusCode: 404)
                : Error(404, $"transaction {hash} is not in any finalized block");
        var ts = chain.Blocks.GetHeader(stored.BlockNumber)?.TimestampMs;
        return Results.Json(new { transaction = JsonShapes.Transaction(stored.Transaction, stored, ts) });
    }

    private static IResult AccountField(HttpContext c, string name, Func<Address, object> read)
        => Address.TryParse(c.Request.Query[name], out var a) ? Results.Json(read(a)) : Error(400, $"query parameter '{name}' must be a 20-byte hex address");

    private IResult OwnerOfVmId(HttpContext c)
    {
        if (!TryU64(c, "vidaId", out var vmId, out var err)) return err;
        var owner = chain.Ledger.GetVmOwner(vmId);
        return Results.Json(new { vidaId = vmId, claimed = owner is not null, owner = owner?.ToString() });
    }

    private IResult GetVmTransactions(HttpContext c)
    {
        if (!TryRange(c, out var vmId, out var from, out var to, out var err)) return err;
        var txs = chain.Blocks.GetVmTransactions(vmId, from, to);
        var times = new Dictionary<ulong, ulong>();
        return Results.Json(new
        {
            transactions = txs.Select(t =>
            {
                if (!times.TryGetValue(t.BlockNumber, out var ts)) times[t.BlockNumber] = ts = chain.Blocks.GetHeader(t.BlockNumber)?.TimestampMs ?? 0;
                return JsonShapes.Transaction(t.Transaction, t, ts);
            }).ToList(),
        });
    }

    private IResult VmBlocks(HttpContext c)
    {
        if (!TryRange(c, out var vmId, out var from, out var to, out var err)) return err;
        var blocks = chain.Blocks.GetVmBlocks(vmId, from, to).Select(b => new
        {
            blockNumber = b.Header.Number,
            timestamp = b.Header.TimestampMs,
            blockHash = b.Header.Hash.ToString(),
            transactions = b.Transactions.Select(t => new
            {
                sender = t.Transaction.Sender.ToString(),
                value = t.Transaction.Value,
                data = Hex.Encode(t.Transaction.Data.Span),
                hash = t.Transaction.Hash.ToString(),
                position = t.Position,
            }),
        });
        return Results.Json(new { blocks });
    }

    private IResult RootHash(HttpContext c)
    {
        if (!TryU64(c, "vidaId", out var vmId, out var err) || !TryU64(c, "blockNumber", out var number, out err)) return err;
        if (!vmRoots.TryGetValue(vmId, out var source)) return Error(404, $"this node runs no VM host for VM ID {vmId}");
        if (!source.TryGetRoot(number, out var root)) return Error(404, source.RootWithheldReason(number) ?? $"VM {vmId} has applied blocks up to {source.Height}, not {number} yet");
        return Results.Json(new { vidaId = vmId, blockNumber = number, rootHash = root.ToString() });
    }

    private IResult RootHashes(HttpContext c)
    {
        if (!TryRange(c, out var vmId, out var from, out var to, out var err)) return err;
        if (!vmRoots.TryGetValue(vmId, out var source)) return Error(404, $"this node runs no VM host for VM ID {vmId}");
        var roots = new List<string>();
        for (ulong n = from; n <= to && source.TryGetRoot(n, out var root); n++) roots.Add(root.ToString());
        return Results.Json(new { vidaId = vmId, startingBlock = from, rootHashes = roots });
    }

    private async Task<IResult> Broadcast(HttpContext c)
    {
        SetBodyLimit(c, (long)chain.Options.MaxTransactionBytes * 2 + 4096);
        JsonDocument doc;
        try { doc = await JsonDocument.ParseAsync(c.Request.Body, cancellationToken: c.RequestAborted); }
        catch (JsonException e) { return Error(400, $"body must be JSON {{\"txn\":\"<hex>\"}}: {e.Message}"); }
        catch (BadHttpRequestException e) { return Error(413, $"request body too large: {e.Message}"); }
        using (doc)
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Object || !doc.RootElement.TryGetProperty("txn", out var txn) || txn.ValueKind != JsonValueKind.String)
                return Error(400, "body must be JSON {\"txn\":\"<hex of the signed transaction>\"}");
            var r = Admit(txn.GetString());
            return r.Accepted
                ? Results.Json(new { hash = r.Hash.ToString() })
                : Results.Json(new { error = r.Message, reason = r.Reason?.ToString(), hash = r.Hash.IsZero ? null : r.Hash.ToString() },
                    statusCode: r.Reason == RejectReason.MempoolFull ? 429 : 400);
        }
    }

    private async Task<IResult> BroadcastBatch(HttpContext c)
    {
        if (c.Request.ContentType?.StartsWith("application/octet-stream", StringComparison.OrdinalIgnoreCase) == true)
            return await BroadcastBatchBinary(c);
        SetBodyLimit(c, ((long)chain.Options.MaxTransactionBytes * 2 + 16) * 64);
        JsonDocument doc;
        try { doc = await JsonDocument.ParseAsync(c.Request.Body, cancellationToken: c.RequestAborted); }
        catch (JsonException e) { return Error(400, $"body must be JSON {{\"txns\":[\"<hex>\",...]}}: {e.Message}"); }
        catch (BadHttpRequestException e) { return Error(413, $"request body too large: {e.Message}"); }
        using (doc)
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Object || !doc.RootElement.TryGetProperty("txns", out var txns) || txns.ValueKind != JsonValueKind.Array)
                return Error(400, "body must be JSON {\"txns\":[\"<hex>\",...]}");
            if (txns.GetArrayLength() > options.MaxBatchTransactions) return Error(400, $"at most {options.MaxBatchTransactions} transactions per batch");
            var items = txns.EnumerateArray().Select(e => e.ValueKind == JsonValueKind.String ? e.GetString() : null).ToArray();
            var results = new AdmissionResult[items.Length];
            Parallel.For(0, items.Length, i => results[i] = Admit(items[i]));
            return Results.Json(new
            {
                results = results.Select(r => r.Accepted
                    ? (object)new { hash = r.Hash.ToString() }
                    : new { error = r.Message, reason = r.Reason?.ToString() }),
            });
        }
    }

    /// <summary>
    /// The same batch without hex or JSON: body = (u32 length ‖ signed tx)*, big-endian. The answer lists only
    /// the refused ones, {"accepted": n, "rejected": [{"index", "reason", "error"}]}, so bulk loaders stay cheap.
    /// </summary>
    private async Task<IResult> BroadcastBatchBinary(HttpContext c)
    {
        long limit = (long)chain.Options.MaxTransactionBytes * 64;
        SetBodyLimit(c, limit);
        if (c.Request.ContentLength > limit) return Error(413, $"request body too large: {c.Request.ContentLength} bytes, at most {limit}");
        // A pooled buffer: a batch body is hundreds of KB, and a fresh one per request lands on the large object
        // heap, whose churn forced full (gen 2) collections under load.
        byte[] body;
        int length;
        try { (body, length) = await ReadPooledAsync(c.Request.Body, (int?)c.Request.ContentLength, c.RequestAborted); }
        catch (BadHttpRequestException e) { return Error(413, $"request body too large: {e.Message}"); }
        try
        {
            if (!LengthPrefixed.TrySplit(body.AsMemory(0, length), out var items, out var error, options.MaxBatchTransactions))
                return Error(400, $"binary batch: {error}");
            var txs = new byte[items.Count][];
            for (int i = 0; i < txs.Length; i++) txs[i] = items[i].ToArray();
            var results = new AdmissionResult[txs.Length];
            Parallel.For(0, txs.Length, i => results[i] = CheckTx(txs[i]));
            var rejected = new List<object>();
            for (int i = 0; i < results.Length; i++)
                if (!results[i].Accepted) rejected.Add(new { index = i, reason = results[i].Reason?.ToString(), error = results[i].Message });
            return Results.Json(new { accepted = results.Length - rejected.Count, rejected });
        }
        finally { System.Buffers.ArrayPool<byte>.Shared.Return(body); }
    }

    /// <summary>Reads a whole body into a rented buffer (the caller returns it); grows by doubling when no length was declared.</summary>
    private static async Task<(byte[] Buffer, int Length)> ReadPooledAsync(Stream body, int? declared, CancellationToken ct)
    {
        var pool = System.Buffers.ArrayPool<byte>.Shared;
        var buffer = pool.Rent(Math.Max(declared ?? 0, 64 * 1024));
        int length = 0;
        try
        {
            while (true)
            {
                if (length == buffer.Length)
                {
                    var larger = pool.Rent(buffer.Length * 2);
                    buffer.AsSpan(0, length).CopyTo(larger);
                    pool.Return(buffer);
                    buffer = larger;
                }
                int read = await body.ReadAsync(buffer.AsMemory(length), ct);
                if (read == 0) return (buffer, length);
                length += read;
            }
        }
        catch
        {
            pool.Return(buffer);
            throw;
        }
    }

    private AdmissionResult Admit(string? hex)
        => Hex.TryDecode(hex, out var raw)
            ? CheckTx(raw)
            : AdmissionResult.Reject(RejectReason.Malformed, "txn is not valid hex");

    private AdmissionResult CheckTx(byte[] raw)
    {
        var r = chain.CheckTx(raw);
        if (r.Accepted) admitted?.Invoke(raw);
        return r;
    }

    private static void SetBodyLimit(HttpContext c, long limit)
    {
        var f = c.Features.Get<IHttpMaxRequestBodySizeFeature>();
        if (f is { IsReadOnly: false }) f.MaxRequestBodySize = limit;
    }

    private bool TryRange(HttpContext c, out ulong vmId, out ulong from, out ulong to, out IResult error)
    {
        from = to = 0;
        if (!TryU64(c, "vidaId", out vmId, out error) || !TryU64(c, "startingBlock", out from, out error) || !TryU64(c, "endingBlock", out to, out error)) return false;
        if (to < from) { error = Error(400, "endingBlock is before startingBlock"); return false; }
        if (to - from >= (ulong)options.MaxBlockRange) { error = Error(400, $"at most {options.MaxBlockRange} blocks per call; split the range"); return false; }
        return true;
    }

    private static bool TryU64(HttpContext c, string name, out ulong value, out IResult error)
    {
        error = Results.Empty;
        string? s = c.Request.Query[name];
        if (s is not null && ulong.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out value)) return true;
        value = 0;
        error = Error(400, s is null ? $"query parameter '{name}' is required" : $"query parameter '{name}' must be a non-negative integer, got '{(s.Length > 40 ? s[..40] + "…" : s)}'");
        return false;
    }

    private static IResult Error(int status, string message) => Results.Json(new { error = message }, statusCode: status);
}
