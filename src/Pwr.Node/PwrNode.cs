using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Pwr.Chain;
using Pwr.Consensus;
using Pwr.Core;

namespace Pwr.Node;

/// <summary>A running node: the ledger, its consensus engine and the PWR HTTP API, composed.</summary>
public sealed partial class PwrNode : IAsyncDisposable
{
    private readonly NodeOptions _options;
    private readonly ILoggerFactory _loggerFactory;
    private readonly ILogger _logger;
    private readonly SingleValidatorEngine _engine;
    private readonly Dictionary<ulong, IVmRootProvider> _vmRoots = [];
    private readonly CancellationTokenSource _stop = new();
    private WebApplication? _web;
    private Task? _engineTask;

    public ChainApplication Chain { get; }
    public string ApiUrl => $"http://{_options.ApiHost}:{_options.ApiPort}";

    public PwrNode(NodeOptions options, Genesis genesis, ChainOptions chainOptions, ConsensusOptions consensusOptions,
        FalconKeyPair validatorKey, TimeProvider time, ILoggerFactory loggerFactory)
    {
        _options = options;
        _loggerFactory = loggerFactory;
        _logger = loggerFactory.CreateLogger<PwrNode>();
        Chain = new ChainApplication(Path.Combine(options.DataDir, "chain"), genesis, chainOptions, time, loggerFactory.CreateLogger<ChainApplication>());
        _engine = new SingleValidatorEngine(Chain, validatorKey, consensusOptions, time, loggerFactory.CreateLogger<SingleValidatorEngine>());
    }

    /// <summary>Lets /rootHash answer for a VM; call before <see cref="StartAsync"/>.</summary>
    public void AddVmRootProvider(IVmRootProvider source) => _vmRoots[source.VmId] = source;

    public async Task StartAsync()
    {
        _ = Task.Run(WarmUpSignatureChecks);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k =>
        {
            var address = _options.ApiHost == "localhost" ? IPAddress.Loopback : IPAddress.Parse(_options.ApiHost);
            k.Listen(address, _options.ApiPort);
            k.Limits.MaxRequestBodySize = 1024 * 1024;
        });
        builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.PropertyNamingPolicy = null);
        _web = builder.Build();
        _web.Use(async (context, next) =>
        {
            try { await next(context); }
            catch (BadHttpRequestException e)
            {
                if (!context.Response.HasStarted) await Results.Json(new { error = e.Message }, statusCode: e.StatusCode).ExecuteAsync(context);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogApiError(_logger, e, context.Request.Path);
                if (!context.Response.HasStarted) await Results.Json(new { error = "internal error: " + e.Message }, statusCode: 500).ExecuteAsync(context);
            }
        });
        new PwrHttpApi(Chain, _options, _vmRoots).Map(_web);
        try { await _web.StartAsync(); }
        catch (IOException e)
        {
            throw new IOException($"cannot listen on {ApiUrl}: {e.Message}. Is another node running? Stop it or pick another port.", e);
        }
        _engineTask = Task.Factory.StartNew(() => _engine.RunAsync(_stop.Token), TaskCreationOptions.LongRunning).Unwrap();
        _ = _engineTask.ContinueWith(t => LogEngineFailed(_logger, t.Exception!), TaskContinuationOptions.OnlyOnFaulted);
    }

    /// <summary>
    /// Runs Falcon verification until the JIT has promoted it to optimized code, so the first seconds of load
    /// are not admitted at a fraction of the steady rate (measured: ~10k/s cold vs ~29k/s warm on 2 cores).
    /// </summary>
    private static void WarmUpSignatureChecks()
    {
        var key = DevnetKeys.FromLabel("node/warm-up");
        var unsigned = TransactionBuilder.Transfer(0, 0, 1, key.Address, key.Address, 0);
        var raw = TransactionBuilder.Sign(unsigned, key);
        if (!TransactionCodec.TryDecode(raw, out var tx, out _, out _)) return;
        // Tiered JIT promotes hot methods after a quiet delay, so keep calling for a while, on a pool thread.
        var until = Environment.TickCount64 + 1500;
        while (Environment.TickCount64 < until) TransactionSignature.Verify(tx, key.PublicKey);
    }

    /// <summary>Cancelled when the process is asked to stop (SIGINT/SIGTERM reach the web host's console lifetime).</summary>
    public CancellationToken Stopping => _web?.Lifetime.ApplicationStopping ?? CancellationToken.None;

    /// <summary>Completes if block production stops with an error, so the host can exit non-zero.</summary>
    public Task EngineTask => _engineTask ?? Task.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        if (_engineTask is not null) { try { await _engineTask; } catch (Exception) { /* already logged */ } }
        if (_web is not null) await _web.DisposeAsync();
        Chain.Dispose();
        _stop.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "API request {Path} failed")]
    private static partial void LogApiError(ILogger logger, Exception e, PathString path);

    [LoggerMessage(Level = LogLevel.Critical, Message = "Block production stopped")]
    private static partial void LogEngineFailed(ILogger logger, Exception e);
}
