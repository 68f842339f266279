using System.Net.Http.Json;
using System.Text.Json;
using Pwr.Core;

namespace Pwr.Cli;

/// <summary>HTTP client for the base-layer endpoints of the PWR API that the CLI and load generator use.</summary>
public sealed class ChainClient : IDisposable
{
    private readonly HttpClient _http;

    public ChainClient(string baseUrl)
    {
        if (!Uri.TryCreate(baseUrl, UriKind.Absolute, out var uri)) throw new ArgumentException($"--node '{baseUrl}' is not a URL like http://127.0.0.1:8085");
        _http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 64, PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
        {
            BaseAddress = uri,
            Timeout = TimeSpan.FromSeconds(60),
        };
    }

    public Uri BaseAddress => _http.BaseAddress!;

    public async Task<JsonElement> GetAsync(string pathAndQuery, CancellationToken ct = default)
    {
        HttpResponseMessage response;
        try { response = await _http.GetAsync(pathAndQuery, ct); }
        catch (HttpRequestException e) { throw new NodeUnavailableException($"cannot reach the node at {BaseAddress}: {e.Message}. Is `pwr devnet` running?", e); }
        using (response) return await ReadAsync(response, ct);
    }

    public async Task<JsonElement> PostAsync(string path, object body, CancellationToken ct = default)
    {
        HttpResponseMessage response;
        try { response = await _http.PostAsJsonAsync(path, body, ct); }
        catch (HttpRequestException e) { throw new NodeUnavailableException($"cannot reach the node at {BaseAddress}: {e.Message}. Is `pwr devnet` running?", e); }
        using (response) return await ReadAsync(response, ct);
    }

    private static async Task<JsonElement> ReadAsync(HttpResponseMessage response, CancellationToken ct)
    {
        var text = await response.Content.ReadAsStringAsync(ct);
        JsonElement json;
        try { json = JsonDocument.Parse(text).RootElement.Clone(); }
        catch (JsonException) { throw new NodeRequestException((int)response.StatusCode, $"node answered {(int)response.StatusCode} with non-JSON: {text[..Math.Min(200, text.Length)]}"); }
        if (!response.IsSuccessStatusCode)
            throw new NodeRequestException((int)response.StatusCode, json.TryGetProperty("error", out var e) ? e.GetString() ?? "" : text);
        return json;
    }

    public async Task<byte> ChainIdAsync(CancellationToken ct = default) => (await GetAsync("/chainId", ct)).GetProperty("chainId").GetByte();
    public async Task<ulong> FeePerByteAsync(CancellationToken ct = default) => (await GetAsync("/feePerByte", ct)).GetProperty("feePerByte").GetUInt64();
    public async Task<ulong> BlocksCountAsync(CancellationToken ct = default) => (await GetAsync("/blocksCount", ct)).GetProperty("blocksCount").GetUInt64();
    public async Task<uint> NonceAsync(Address a, CancellationToken ct = default) => (await GetAsync($"/nonceOfUser?userAddress={a}", ct)).GetProperty("nonce").GetUInt32();
    public async Task<ulong> BalanceAsync(Address a, CancellationToken ct = default) => (await GetAsync($"/balanceOf?address={a}", ct)).GetProperty("balance").GetUInt64();

    /// <summary>Broadcasts a signed transaction; returns its hash or throws with the node's reason.</summary>
    public async Task<Hash32> BroadcastAsync(byte[] signed, CancellationToken ct = default)
        => Hash32.Parse((await PostAsync("/broadcast", new { txn = Hex.Encode(signed, prefix: false) }, ct)).GetProperty("hash").GetString()!);

    /// <summary>Waits until a transaction is in a finalized block and returns its JSON.</summary>
    public async Task<JsonElement> WaitForTransactionAsync(Hash32 hash, TimeSpan timeout, CancellationToken ct = default)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            try { return (await GetAsync($"/transactionByHash?hash={hash}", ct)).GetProperty("transaction"); }
            catch (NodeRequestException e) when (e.StatusCode == 404 && DateTime.UtcNow < deadline) { await Task.Delay(100, ct); }
        }
    }

    public void Dispose() => _http.Dispose();
}

/// <summary>The node refused a request; the message is the node's own explanation.</summary>
public sealed class NodeRequestException(int statusCode, string message) : Exception(message)
{
    public int StatusCode { get; } = statusCode;
}

/// <summary>The node could not be reached at all.</summary>
public sealed class NodeUnavailableException(string message, Exception inner) : Exception(message, inner);
