using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Pwr.Core;

namespace Pwr.Vm;

/// <summary>Client for the VM endpoints of a PWR node's HTTP API (<c>/blocksCount</c>, <c>/vmBlocks</c>, <c>/rootHash</c>, <c>/rootHashes</c>).</summary>
public sealed class PwrNodeClient : IVmRootSource, IVmPeerRootSource, IDisposable
{
    private readonly HttpClient _http;
    private readonly bool _ownsHttp;

    /// <summary>A client for the node at <paramref name="baseAddress"/> (e.g. http://127.0.0.1:8085/).</summary>
    public PwrNodeClient(Uri baseAddress, HttpMessageHandler? handler = null)
    {
        ArgumentNullException.ThrowIfNull(baseAddress);
        _http = handler is null ? new HttpClient() : new HttpClient(handler);
        _http.BaseAddress = baseAddress;
        _http.Timeout = TimeSpan.FromSeconds(30);
        _ownsHttp = true;
    }

    /// <summary>A client over an existing <see cref="HttpClient"/> whose BaseAddress is the node; the caller keeps ownership.</summary>
    public PwrNodeClient(HttpClient http)
    {
        _http = http ?? throw new ArgumentNullException(nameof(http));
        if (http.BaseAddress is null) throw new ArgumentException("the HttpClient needs a BaseAddress (the node's URL)", nameof(http));
    }

    public Uri BaseAddress => _http.BaseAddress!;

    string IVmPeerRootSource.Name => BaseAddress.ToString();

    /// <summary>The latest finalized block number.</summary>
    public async Task<ulong> GetBlocksCountAsync(CancellationToken cancellationToken = default)
        => (await GetAsync("blocksCount", PwrNodeJsonContext.Default.BlocksCountResponse, cancellationToken).ConfigureAwait(false))!.BlocksCount;

    /// <summary>Blocks A…B (inclusive, at most 1000) with the VM's transactions.</summary>
    public async Task<IReadOnlyList<VmBlock>> GetVmBlocksAsync(ulong vmId, ulong startingBlock, ulong endingBlock, CancellationToken cancellationToken = default)
    {
        CheckRange(startingBlock, endingBlock);
        var response = await GetAsync(Query("vmBlocks", vmId, startingBlock, endingBlock), PwrNodeJsonContext.Default.VmBlocksResponse, cancellationToken).ConfigureAwait(false);
        var json = response?.Blocks ?? [];
        var blocks = new VmBlock[json.Count];
        for (int i = 0; i < blocks.Length; i++) blocks[i] = ToBlock(json[i]);
        return blocks;
    }

    /// <summary>The root the node's VM host recorded after a block, or null when it has not reached the block (404).</summary>
    public async Task<Hash32?> GetRootHashAsync(ulong vmId, ulong blockNumber, CancellationToken cancellationToken = default)
    {
        string path = string.Create(CultureInfo.InvariantCulture, $"rootHash?vidaId={vmId}&blockNumber={blockNumber}");
        var response = await GetAsync(path, PwrNodeJsonContext.Default.RootHashResponse, cancellationToken, notFoundIsNull: true).ConfigureAwait(false);
        return response is null ? null : ParseHash(response.RootHash, "rootHash");
    }

    /// <summary>Roots after blocks A…B (at most 1000), stopping where the node's VM host has not reached.</summary>
    public async Task<IReadOnlyList<Hash32>> GetRootHashesAsync(ulong vmId, ulong startingBlock, ulong endingBlock, CancellationToken cancellationToken = default)
    {
        CheckRange(startingBlock, endingBlock);
        var response = await GetAsync(Query("rootHashes", vmId, startingBlock, endingBlock), PwrNodeJsonContext.Default.RootHashesResponse, cancellationToken).ConfigureAwait(false);
        if (response is null) return [];
        if (response.RootHashes is { Count: > 0 } && response.StartingBlock != startingBlock)
            throw new PwrNodeException($"rootHashes: asked from block {startingBlock}, node answered from {response.StartingBlock}");
        var hashes = response.RootHashes ?? [];
        if ((ulong)hashes.Count > endingBlock - startingBlock + 1) throw new PwrNodeException($"rootHashes: node returned {hashes.Count} roots for {endingBlock - startingBlock + 1} blocks");
        var roots = new Hash32[hashes.Count];
        for (int i = 0; i < roots.Length; i++) roots[i] = ParseHash(hashes[i], "rootHashes");
        return roots;
    }

    async ValueTask<IReadOnlyList<Hash32>> IVmRootSource.GetRootsAsync(ulong vmId, ulong fromBlock, ulong toBlock, CancellationToken cancellationToken)
        => await GetRootHashesAsync(vmId, fromBlock, toBlock, cancellationToken).ConfigureAwait(false);

    public void Dispose()
    {
        if (_ownsHttp) _http.Dispose();
    }

    private async Task<T?> GetAsync<T>(string path, JsonTypeInfo<T> type, CancellationToken cancellationToken, bool notFoundIsNull = false) where T : class
    {
        HttpResponseMessage response;
        try
        {
            response = await _http.GetAsync(path, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException e)
        {
            throw new PwrNodeException($"cannot reach the node at {_http.BaseAddress}: {e.Message}", null, e);
        }
        catch (TaskCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new PwrNodeException($"GET {path}: the node at {_http.BaseAddress} did not answer within {_http.Timeout.TotalSeconds:0} s", null, e);
        }
        using (response)
        {
            string endpoint = path.Split('?')[0];
            if (!response.IsSuccessStatusCode)
            {
                if (notFoundIsNull && response.StatusCode == HttpStatusCode.NotFound) return null;
                string body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
                string message = TryReadError(body) ?? (body.Length is > 0 and <= 200 ? body : response.ReasonPhrase ?? "no details");
                throw new PwrNodeException($"GET /{endpoint}: {(int)response.StatusCode} {message}", response.StatusCode);
            }
            try
            {
                var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
                await using (stream.ConfigureAwait(false))
                    return await JsonSerializer.DeserializeAsync(stream, type, cancellationToken).ConfigureAwait(false)
                        ?? throw new PwrNodeException($"GET /{endpoint}: empty response", response.StatusCode);
            }
            catch (JsonException e)
            {
                throw new PwrNodeException($"GET /{endpoint}: malformed response: {e.Message}", response.StatusCode, e);
            }
        }
    }

    private static string? TryReadError(string body)
    {
        try
        {
            return body.Length == 0 ? null : JsonSerializer.Deserialize(body, PwrNodeJsonContext.Default.ErrorResponse)?.Error;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static VmBlock ToBlock(VmBlockJson json)
    {
        var txs = json.Transactions ?? [];
        var transactions = new VmTransaction[txs.Count];
        for (int i = 0; i < transactions.Length; i++)
        {
            var tx = txs[i];
            if (!Address.TryParse(tx.Sender, out var sender)) throw new PwrNodeException($"vmBlocks: block {json.BlockNumber} tx {i}: bad sender '{tx.Sender}'");
            if (!Hex.TryDecode(tx.Data ?? "", out var data)) throw new PwrNodeException($"vmBlocks: block {json.BlockNumber} tx {i}: data is not hex");
            transactions[i] = new VmTransaction(sender, tx.Value, data, ParseHash(tx.Hash, "vmBlocks transaction hash"), tx.Position);
        }
        return new VmBlock(json.BlockNumber, json.Timestamp, ParseHash(json.BlockHash, "vmBlocks blockHash"), transactions);
    }

    private static Hash32 ParseHash(string? text, string field)
        => Hash32.TryParse(text, out var hash) ? hash : throw new PwrNodeException($"{field}: '{text}' is not a 32-byte hex hash");

    private static string Query(string endpoint, ulong vmId, ulong startingBlock, ulong endingBlock)
        => string.Create(CultureInfo.InvariantCulture, $"{endpoint}?vidaId={vmId}&startingBlock={startingBlock}&endingBlock={endingBlock}");

    private static void CheckRange(ulong startingBlock, ulong endingBlock)
    {
        if (startingBlock == 0 || endingBlock < startingBlock || endingBlock - startingBlock >= IVmBlockSource.MaxBlocksPerRequest)
            throw new ArgumentOutOfRangeException(nameof(endingBlock), $"block range {startingBlock}…{endingBlock} must start at 1 or later and span at most {IVmBlockSource.MaxBlocksPerRequest} blocks");
    }
}
