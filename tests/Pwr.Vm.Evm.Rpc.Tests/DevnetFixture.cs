using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Pwr.Cli;

namespace Pwr.Vm.Evm.Rpc.Tests;

/// <summary>A real devnet (node, block producer, token VM, EVM and its JSON-RPC wrapper) in this process, on free ports.</summary>
public sealed class DevnetFixture : IAsyncLifetime
{
    private readonly string _dataDir = Path.Combine(Path.GetTempPath(), "pwr-evm-rpc-" + Guid.NewGuid().ToString("N"));
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(30) };
    private int _nextId;

    public DevnetHost Devnet { get; private set; } = null!;
    public string RpcUrl { get; private set; } = "";

    public async Task InitializeAsync()
    {
        int apiPort = FreePort(), rpcPort = FreePort();
        Devnet = await DevnetHost.StartAsync(new DevnetOptions
        {
            DataDir = _dataDir,
            ApiPort = apiPort,
            EvmRpcPort = rpcPort,
            BlockTime = TimeSpan.FromMilliseconds(250),
        }, NullLoggerFactory.Instance);
        Assert.NotNull(Devnet.EvmRpc);
        RpcUrl = $"http://127.0.0.1:{rpcPort}/";
        // Wait for the EVM's genesis (written with block 1) so every test starts from a readable head.
        await Devnet.VmHosts.Single(h => h.VmId == DevnetHost.EvmVmId).WaitForHeightAsync(1).WaitAsync(TimeSpan.FromSeconds(30));
    }

    public async Task DisposeAsync()
    {
        await Devnet.DisposeAsync();
        _http.Dispose();
        try { Directory.Delete(_dataDir, recursive: true); } catch (IOException) { }
    }

    /// <summary>Posts a raw body; returns the HTTP status and the parsed JSON answer.</summary>
    public async Task<(HttpStatusCode Status, JsonElement Body)> PostAsync(string body)
    {
        using var response = await _http.PostAsync(RpcUrl, new StringContent(body, Encoding.UTF8, "application/json"));
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, JsonDocument.Parse(text).RootElement.Clone());
    }

    /// <summary>Calls <paramref name="method"/>; returns the whole response object (result or error).</summary>
    public async Task<JsonElement> CallAsync(string method, params object?[] parameters)
    {
        var body = JsonSerializer.Serialize(new { jsonrpc = "2.0", id = Interlocked.Increment(ref _nextId), method, @params = parameters });
        var (status, json) = await PostAsync(body);
        Assert.Equal(HttpStatusCode.OK, status);
        return json;
    }

    /// <summary>The result of a call that must succeed.</summary>
    public async Task<JsonElement> ResultAsync(string method, params object?[] parameters)
    {
        var json = await CallAsync(method, parameters);
        Assert.False(json.TryGetProperty("error", out var error), $"{method} failed: {error}");
        return json.GetProperty("result");
    }

    /// <summary>Polls eth_getTransactionReceipt until the receipt exists.</summary>
    public async Task<JsonElement> WaitForReceiptAsync(string hash)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            var receipt = await ResultAsync("eth_getTransactionReceipt", hash);
            if (receipt.ValueKind == JsonValueKind.Object) return receipt;
            await Task.Delay(100);
        }
        throw new TimeoutException($"no receipt for {hash} within 30 s");
    }

    private static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        try { return ((IPEndPoint)listener.LocalEndpoint).Port; }
        finally { listener.Stop(); }
    }
}
