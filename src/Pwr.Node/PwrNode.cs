using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Pwr.Chain;
using Prometheus;
using Pwr.Consensus;
using Pwr.Consensus.Network;
using Pwr.Consensus.Sync;
using Pwr.Core;

namespace Pwr.Node;

/// <summary>A running node: the ledger, its consensus engine (single validator or BFT), the PWR HTTP API and metrics, composed.</summary>
public sealed partial class PwrNode : IAsyncDisposable
{
    private readonly NodeOptions _options;
    private readonly ILoggerFactory _loggerFactory;
    private readonly ILogger _logger;
    private readonly IConsensusEngine _engine;
    private readonly FalconKeyPair? _validatorKey;
    private readonly TcpPeerNetwork? _network;
    private readonly TransactionGossip? _gossip;
    private readonly BlockSyncService? _sync;
    private readonly Dictionary<ulong, IVmRootProvider> _vmRoots = [];
    private readonly CancellationTokenSource _stop = new();
    private WebApplication? _web;
    private Task? _engineTask;
    private Task? _syncTask;

    public ChainApplication Chain { get; }
    public string ApiUrl => $"http://{_options.ApiHost}:{_options.ApiPort}";

    /// <summary>The node's Prometheus metrics, served at GET /metrics.</summary>
    public NodeMetrics Metrics { get; }

    /// <summary>Where consensus stands (height being decided, round, step, validator or not).</summary>
    public ConsensusStatus Consensus => _engine.Status;

    /// <summary>True when this node signs votes or blocks; false for a full node.</summary>
    public bool IsValidator => _validatorKey is not null;

    /// <summary>Connected, authenticated peers (0 on the single-validator devnet, which has no network).</summary>
    public int PeerCount => _network?.Peers.Count ?? 0;

    /// <summary>The p2p listen address once started; null on the devnet.</summary>
    public IPEndPoint? P2PEndPoint => _network?.LocalEndPoint;

    /// <summary>The devnet: one validator, <see cref="SingleValidatorEngine"/>, no network.</summary>
    public PwrNode(NodeOptions options, Genesis genesis, ChainOptions chainOptions, ConsensusOptions consensusOptions,
        FalconKeyPair validatorKey, TimeProvider time, ILoggerFactory loggerFactory)
        : this(options, genesis, chainOptions, time, loggerFactory)
    {
        _validatorKey = validatorKey;
        _engine = new SingleValidatorEngine(Chain, validatorKey, consensusOptions, time, loggerFactory.CreateLogger<SingleValidatorEngine>());
        Metrics = new NodeMetrics(Chain, () => _engine.Status, () => PeerCount, _vmRoots, time);
    }

    /// <summary>A validator or full node of a BFT network: TCP peers, Tendermint engine, transaction gossip, block sync.</summary>
    public PwrNode(NodeOptions options, Genesis genesis, ChainOptions chainOptions, BftNodeOptions bft, TimeProvider time, ILoggerFactory loggerFactory)
        : this(options, genesis, chainOptions, time, loggerFactory)
    {
        _validatorKey = bft.ValidatorKey;
        try
        {
            _network = new TcpPeerNetwork(bft.Network, bft.NodeKey, Chain.ChainId, loggerFactory);
            var engine = new BftEngine(Chain, bft.ValidatorKey, _network, bft.Bft, Path.Combine(options.DataDir, "wal"), time, loggerFactory);
            engine.EquivocationDetected += OnEquivocationDetected;
            _engine = engine;
            _gossip = new TransactionGossip(Chain, _network, loggerFactory);
            _sync = new BlockSyncService(Chain, _network, engine.ApplySyncedBlock, bft.Sync, loggerFactory);
        }
        catch
        {
            _network?.DisposeAsync().AsTask().GetAwaiter().GetResult();
            Chain.Dispose();
            throw;
        }
        Metrics = new NodeMetrics(Chain, () => _engine.Status, () => PeerCount, _vmRoots, time);
    }

    private PwrNode(NodeOptions options, Genesis genesis, ChainOptions chainOptions, TimeProvider time, ILoggerFactory loggerFactory)
    {
        _options = options;
        _loggerFactory = loggerFactory;
        _logger = loggerFactory.CreateLogger<PwrNode>();
        Chain = new ChainApplication(Path.Combine(options.DataDir, "chain"), genesis, chainOptions, time, loggerFactory.CreateLogger<ChainApplication>());
        _engine = null!; // set by the public constructors
        Metrics = null!;
    }

    /// <summary>
    /// The engine saw one validator sign two different votes for the same height, round and type: a validator puts the
    /// evidence in a DoubleSignEvidence transaction (signed and paid by its own account), admits it and gossips it, so
    /// whoever proposes next includes it and the ledger slashes the offender. A full node only logs it.
    /// </summary>
    private void OnEquivocationDetected(SignedVote a, SignedVote b)
    {
        LogEquivocation(_logger, a.Validator, a.Height, a.Round, a.Type.ToString());
        if (_validatorKey is not { } key || !_reported.Add((a.Validator, a.Height))) return;
        uint nonce = Math.Max(Chain.Ledger.GetAccount(key.Address).Nonce, _evidenceNonce);
        var raw = TransactionBuilder.Sign(
            TransactionBuilder.DoubleSignEvidence(Chain.ChainId, nonce, Chain.Options.MinFeePerByte, key.Address, a.Encode(), b.Encode()), key);
        var result = Chain.CheckTx(raw);
        if (result.Accepted)
        {
            _evidenceNonce = nonce + 1;
            PublishAdmitted(raw);
        }
        LogEvidenceSubmitted(_logger, a.Validator, a.Height, result.Accepted ? "admitted" : result.Message);
    }

    private readonly HashSet<(Address, ulong)> _reported = [];
    private uint _evidenceNonce;

    private void PublishAdmitted(byte[] raw) => _gossip?.Publish(raw);

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
        new PwrHttpApi(Chain, _options, _vmRoots, _gossip is null ? null : PublishAdmitted).Map(_web);
        _web.MapGet("/consensus", ConsensusJson);
        _web.MapMetrics("/metrics", Metrics.Registry);
        if (_network is not null)
        {
            try { await _network.StartAsync(_stop.Token); }
            catch (IOException e) { throw new IOException($"cannot listen for peers on {_network.LocalEndPoint}: {e.Message}. Pick another p2p port.", e); }
        }
        try { await _web.StartAsync(); }
        catch (IOException e)
        {
            throw new IOException($"cannot listen on {ApiUrl}: {e.Message}. Is another node running? Stop it or pick another port.", e);
        }
        _engineTask = Task.Factory.StartNew(() => _engine.RunAsync(_stop.Token), TaskCreationOptions.LongRunning).Unwrap();
        _ = _engineTask.ContinueWith(t => LogEngineFailed(_logger, t.Exception!), TaskContinuationOptions.OnlyOnFaulted);
        if (_sync is not null)
        {
            _syncTask = Task.Run(() => _sync.RunAsync(_stop.Token));
            _ = _syncTask.ContinueWith(t => LogSyncFailed(_logger, t.Exception!), TaskContinuationOptions.OnlyOnFaulted);
        }
    }

    private IResult ConsensusJson()
    {
        var s = _engine.Status;
        return Results.Json(new
        {
            height = s.Height,
            round = s.Round,
            step = s.Step,
            isValidator = s.IsValidator,
            validatorAddress = _validatorKey?.Address.ToString(),
            peers = PeerCount,
            lastFinalizedHeight = Chain.Blocks.Height,
            catchingUp = _sync?.IsCatchingUp ?? false,
            bestPeerHeight = _sync?.BestPeerHeight,
            p2p = _network is null ? null : P2PEndPoint?.ToString(),
        });
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
        if (_syncTask is not null) { try { await _syncTask; } catch (Exception) { /* already logged */ } }
        if (_web is not null) await _web.DisposeAsync();
        if (_network is not null) await _network.DisposeAsync();
        Metrics?.Detach();
        Chain.Dispose();
        _stop.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Double-sign evidence against {Validator} at height {Height}: {Outcome}")]
    private static partial void LogEvidenceSubmitted(ILogger logger, Address validator, ulong height, string outcome);

    [LoggerMessage(Level = LogLevel.Error, Message = "API request {Path} failed")]
    private static partial void LogApiError(ILogger logger, Exception e, PathString path);

    [LoggerMessage(Level = LogLevel.Error, Message = "Block sync stopped")]
    private static partial void LogSyncFailed(ILogger logger, Exception e);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Validator {Validator} equivocated at height {Height} round {Round} ({Type})")]
    private static partial void LogEquivocation(ILogger logger, Address validator, ulong height, uint round, string type);

    [LoggerMessage(Level = LogLevel.Critical, Message = "Block production stopped")]
    private static partial void LogEngineFailed(ILogger logger, Exception e);
}
