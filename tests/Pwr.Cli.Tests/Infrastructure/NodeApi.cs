using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Pwr.Core;

namespace Pwr.Cli.Tests.Infrastructure;

/// <summary>A raw answer of the PWR HTTP API: status, content type and parsed JSON (null if the body was not JSON).</summary>
internal sealed record ApiResponse(int Status, string? ContentType, string Body, JsonElement? Json)
{
    public string? Error => Json is { ValueKind: JsonValueKind.Object } j && j.TryGetProperty("error", out var e) && e.ValueKind == JsonValueKind.String ? e.GetString() : null;
    public string? Reason => Json is { ValueKind: JsonValueKind.Object } j && j.TryGetProperty("reason", out var r) && r.ValueKind == JsonValueKind.String ? r.GetString() : null;
    public override string ToString() => $"{Status} {Body[..Math.Min(Body.Length, 300)]}";
}

/// <summary>Test-side client of the PWR HTTP API (deliberately not the CLI's own client, so the CLI is what is tested).</summary>
internal sealed class NodeApi : IDisposable
{
    private readonly HttpClient _http;

    public NodeApi(string baseUrl, TimeSpan? timeout = null)
    {
        BaseUrl = baseUrl.TrimEnd('/');
        _http = new HttpClient { BaseAddress = new Uri(BaseUrl), Timeout = timeout ?? TimeSpan.FromSeconds(15) };
    }

    public string BaseUrl { get; }

    public async Task<ApiResponse> GetRawAsync(string pathAndQuery)
    {
        using var response = await _http.GetAsync(pathAndQuery);
        return await ReadAsync(response);
    }

    public async Task<ApiResponse> PostRawAsync(string path, string body)
    {
        using var content = new StringContent(body, Encoding.UTF8);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var response = await _http.PostAsync(path, content);
        return await ReadAsync(response);
    }

    public async Task<JsonElement> GetAsync(string pathAndQuery)
    {
        var r = await GetRawAsync(pathAndQuery);
        if (r.Status is < 200 or > 299 || r.Json is not { } json) throw new NodeApiException(r.Status, r.Body);
        return json;
    }

    public async Task<ulong> BlocksCountAsync() => (await GetAsync("/blocksCount")).GetProperty("blocksCount").GetUInt64();
    public async Task<ulong> BalanceAsync(Address a) => (await GetAsync($"/balanceOf?address={a}")).GetProperty("balance").GetUInt64();
    public async Task<uint> NonceAsync(Address a) => (await GetAsync($"/nonceOfUser?userAddress={a}")).GetProperty("nonce").GetUInt32();
    public async Task<ulong> FeePerByteAsync() => (await GetAsync("/feePerByte")).GetProperty("feePerByte").GetUInt64();
    public async Task<byte> ChainIdAsync() => (await GetAsync("/chainId")).GetProperty("chainId").GetByte();
    public async Task<string> BlockHashAsync(ulong n) => (await GetAsync($"/block?blockNumber={n}")).GetProperty("block").GetProperty("blockHash").GetString()!;
    public async Task<JsonElement> VmStatusAsync(ulong vmId) => await GetAsync($"/vmStatus?vidaId={vmId}");
    public async Task<ulong> VmHeightAsync(ulong vmId) => (await VmStatusAsync(vmId)).GetProperty("height").GetUInt64();
    public async Task<string> RootHashAsync(ulong vmId, ulong block) => (await GetAsync($"/rootHash?vidaId={vmId}&blockNumber={block}")).GetProperty("rootHash").GetString()!;

    /// <summary>Broadcasts a signed transaction; returns the raw answer (accepted or not).</summary>
    public Task<ApiResponse> BroadcastAsync(byte[] signed) => PostRawAsync("/broadcast", JsonSerializer.Serialize(new { txn = Hex.Encode(signed, prefix: false) }));

    public async Task<Hash32> BroadcastOkAsync(byte[] signed)
    {
        var r = await BroadcastAsync(signed);
        if (r.Status != 200) throw new NodeApiException(r.Status, r.Body);
        return Hash32.Parse(r.Json!.Value.GetProperty("hash").GetString()!);
    }

    /// <summary>The transaction once it is in a finalized block.</summary>
    public async Task<JsonElement> WaitForTransactionAsync(Hash32 hash, TimeSpan timeout)
    {
        JsonElement tx = default;
        await Eventually.UntilAsync(async () =>
        {
            var r = await GetRawAsync($"/transactionByHash?hash={hash}");
            if (r.Status != 200) return false;
            tx = r.Json!.Value.GetProperty("transaction");
            return true;
        }, timeout, $"transaction {hash} to be finalized");
        return tx;
    }

    public async Task<ulong> WaitForBlocksAsync(ulong atLeast, TimeSpan timeout)
    {
        ulong seen = 0;
        await Eventually.UntilAsync(async () => (seen = await BlocksCountAsync()) >= atLeast, timeout, $"block {atLeast} at {BaseUrl}");
        return seen;
    }

    public async Task WaitForVmHeightAsync(ulong vmId, ulong height, TimeSpan timeout)
        => await Eventually.UntilAsync(async () => await VmHeightAsync(vmId) >= height, timeout, $"VM {vmId} to apply block {height}");

    private static async Task<ApiResponse> ReadAsync(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync();
        JsonElement? json = null;
        try { json = JsonDocument.Parse(body).RootElement.Clone(); }
        catch (JsonException) { }
        return new ApiResponse((int)response.StatusCode, response.Content.Headers.ContentType?.MediaType, body, json);
    }

    public void Dispose() => _http.Dispose();
}
