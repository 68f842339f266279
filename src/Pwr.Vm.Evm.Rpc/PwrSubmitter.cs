using System.Net.Http.Json;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Pwr.Core;
using Pwr.Vm.Evm.Vm;

namespace Pwr.Vm.Evm.Rpc;

/// <summary>
/// Batches queued Ethereum transactions into PWR VmData transactions for the EVM's VM ID, signed with the wrapper's key,
/// and broadcasts them to the node: a flush at least every <see cref="EvmRpcOptions.FlushInterval"/> or at the size cap.
/// </summary>
/// <remarks>Tracks the wrapper key's PWR nonce itself, so several batches can be pending in one base-layer block; on a
/// nonce refusal it resynchronizes from the node and retries.</remarks>
internal sealed partial class PwrSubmitter : IAsyncDisposable
{
    private readonly EvmRpcOptions _options;
    private readonly HttpClient _http;
    private readonly ILogger _logger;
    private readonly Channel<(byte[] Raw, Hash32 Hash)> _queue = Channel.CreateUnbounded<(byte[], Hash32)>(new UnboundedChannelOptions { SingleReader = true });
    private readonly CancellationTokenSource _stop = new();
    private readonly Action<IReadOnlyList<Hash32>> _dropped;
    private Task? _loop;
    private byte _chainId;
    private ulong _feePerByte;
    private uint? _nonce;

    public PwrSubmitter(EvmRpcOptions options, ILogger logger, Action<IReadOnlyList<Hash32>> dropped)
    {
        _options = options;
        _logger = logger;
        _dropped = dropped;
        _http = new HttpClient { BaseAddress = options.PwrNode, Timeout = TimeSpan.FromSeconds(15) };
    }

    public long BatchesSent;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        _chainId = (await _http.GetFromJsonAsync<JsonElement>("/chainId", cancellationToken)).GetProperty("chainId").GetByte();
        _feePerByte = (await _http.GetFromJsonAsync<JsonElement>("/feePerByte", cancellationToken)).GetProperty("feePerByte").GetUInt64();
        _loop = Task.Run(RunAsync, CancellationToken.None);
    }

    public void Enqueue(byte[] raw, Hash32 hash) => _queue.Writer.TryWrite((raw, hash));

    private async Task RunAsync()
    {
        var reader = _queue.Reader;
        var token = _stop.Token;
        var batch = new List<(byte[] Raw, Hash32 Hash)>();
        try
        {
            while (await reader.WaitToReadAsync(token))
            {
                // Gather for up to one flush interval after the first transaction, or until the payload is full.
                var deadline = Task.Delay(_options.FlushInterval, token);
                int size = 0;
                while (true)
                {
                    while (size < _options.MaxPayloadBytes && reader.TryPeek(out var next) && size + 4 + next.Raw.Length <= _options.MaxPayloadBytes)
                    {
                        reader.TryRead(out next);
                        batch.Add(next);
                        size += 4 + next.Raw.Length;
                    }
                    if (size >= _options.MaxPayloadBytes || (reader.TryPeek(out var peek) && size + 4 + peek.Raw.Length > _options.MaxPayloadBytes)) break;
                    var more = reader.WaitToReadAsync(token).AsTask();
                    if (await Task.WhenAny(more, deadline) == deadline) break;
                    if (!await more) break;
                }
                await SendAsync(batch, token);
                batch.Clear();
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
        }
    }

    private async Task SendAsync(List<(byte[] Raw, Hash32 Hash)> batch, CancellationToken token)
    {
        var payload = EvmPayload.Encode(batch.Select(b => b.Raw));
        var key = _options.WrapperKey;
        for (int attempt = 0; attempt < 5; attempt++)
        {
            try
            {
                _nonce ??= (await _http.GetFromJsonAsync<JsonElement>($"/nonceOfUser?userAddress={key.Address}", token)).GetProperty("nonce").GetUInt32();
                var signed = TransactionBuilder.Sign(TransactionBuilder.VmData(_chainId, _nonce.Value, _feePerByte, key.Address, _options.EvmVmId, payload, 0), key);
                using var response = await _http.PostAsJsonAsync("/broadcast", new { txn = Hex.Encode(signed) }, token);
                if (response.IsSuccessStatusCode)
                {
                    _nonce++;
                    Interlocked.Increment(ref BatchesSent);
                    Log.Sent(_logger, batch.Count, payload.Length);
                    return;
                }
                var body = await response.Content.ReadAsStringAsync(token);
                Log.Refused(_logger, (int)response.StatusCode, body);
                if (body.Contains("NonceAlreadyPending", StringComparison.Ordinal)) _nonce++;
                else _nonce = null;
                if ((int)response.StatusCode == 429) await Task.Delay(500, token);
            }
            catch (Exception e) when (e is HttpRequestException or JsonException or KeyNotFoundException or InvalidOperationException or TaskCanceledException && !token.IsCancellationRequested)
            {
                Log.Failed(_logger, e.Message);
                _nonce = null;
                await Task.Delay(200, token);
            }
        }
        Log.Dropped(_logger, batch.Count);
        _dropped(batch.Select(b => b.Hash).ToList());
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _stop.CancelAsync();
        if (_loop is not null) await _loop;
        _http.Dispose();
        _stop.Dispose();
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 1, Level = LogLevel.Debug, Message = "EVM wrapper: sent {Count} transactions in a {Bytes}-byte VmData payload")]
        public static partial void Sent(ILogger logger, int count, int bytes);

        [LoggerMessage(EventId = 2, Level = LogLevel.Warning, Message = "EVM wrapper: node refused the batch ({Status}): {Body}")]
        public static partial void Refused(ILogger logger, int status, string body);

        [LoggerMessage(EventId = 3, Level = LogLevel.Warning, Message = "EVM wrapper: broadcast failed: {Reason}")]
        public static partial void Failed(ILogger logger, string reason);

        [LoggerMessage(EventId = 4, Level = LogLevel.Error, Message = "EVM wrapper: dropped a batch of {Count} transactions after repeated refusals")]
        public static partial void Dropped(ILogger logger, int count);
    }
}
