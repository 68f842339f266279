using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Pwr.Chain;
using Pwr.Consensus.Network;
using Pwr.Consensus.Tendermint;
using Pwr.Consensus.Wal;
using Pwr.Core;

namespace Pwr.Consensus;

/// <summary>
/// Multi-validator Tendermint consensus: drives a <see cref="TendermintStateMachine"/> from the network, timers and the
/// application. One loop thread owns the state machine and every application call; network handlers only decode
/// and verify signatures before queueing. Votes and proposals go through a WAL before they leave the node.
/// </summary>
public sealed partial class BftEngine : IConsensusEngine
{
    private abstract record Input;
    private sealed record MessageInput(PeerId? From, object Message, bool Verified) : Input;
    private sealed record TimerInput(TimeoutFired Timeout) : Input;
    private sealed record StartDueInput(ulong Height) : Input;
    private sealed record SyncedBlockInput(Block Block) : Input;
    private sealed record RebroadcastInput : Input;
    private sealed record LaggingPeerInput(PeerId Peer, ulong Height, object Message) : Input;

    /// <summary>What network threads verify against: the height being decided and its validators.</summary>
    private sealed record HeightView(ulong Height, ValidatorSet Validators);

    /// <summary>What a peer behind us needs to decide a height: the decided proposal and its precommits.</summary>
    // Kept as objects and encoded only when a peer really needs them: at a few MB per block, encoding every decided
    // proposal up front costs more than the rare catch-up it serves.
    private sealed record CatchUp(ulong Height, Proposal Proposal, IReadOnlyList<SignedVote> Precommits, long DecidedAt);

    private const int MaxBufferedMessages = 10_000;
    // One peer may hold at most this share of the buffer, so a flood of future-height messages from one connection
    // cannot crowd out the honest peers' messages a lagging node needs.
    private const int MaxBufferedPerPeer = MaxBufferedMessages / 8;
    /// <summary>How many recent heights a lagging peer can catch up through consensus messages; further back is block sync's job.</summary>
    private const int CatchUpHeights = 32;

    private readonly IChainApplication _app;
    private readonly FalconKeyPair? _key;
    private readonly IPeerNetwork _network;
    private readonly BftOptions _options;
    private readonly string _walDirectory;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly byte _chainId;
    private readonly Channel<Input> _inputs = Channel.CreateUnbounded<Input>(new UnboundedChannelOptions { SingleReader = true });
    private readonly TendermintStateMachine _machine;
    private readonly List<MessageInput> _buffered = [];
    private readonly Dictionary<PeerId, int> _bufferedPerPeer = [];
    private readonly Dictionary<Hash32, bool> _validity = [];
    private readonly Dictionary<PeerId, long> _lastCatchUpSent = [];
    // Proposals already verified and queued (network threads): re-sends and catch-ups of them are dropped before the
    // block is decoded, which at full blocks is the most expensive step of receiving one.
    private readonly HashSet<ProposalKey> _seenProposals = [];
    private (ulong Height, uint Round, long SentAt) _proposalSent;
    private volatile HeightView _view;
    private readonly object _statusGate = new();
    private ConsensusStatus _status;
    private ConsensusWal? _wal;
    private SigningGuard? _guard;
    private readonly SortedDictionary<ulong, CatchUp> _catchUps = [];
    private ulong _height;
    private bool _heightStarted;
    private CancellationToken _ct;

    public BftEngine(IChainApplication app, FalconKeyPair? validatorKey, IPeerNetwork network, BftOptions options, string walDirectory, TimeProvider time, ILoggerFactory loggerFactory)
    {
        _app = app;
        _key = validatorKey;
        _network = network;
        _options = options;
        _walDirectory = walDirectory;
        _time = time;
        _logger = loggerFactory.CreateLogger<BftEngine>();
        _chainId = app.ChainId;
        _machine = new TendermintStateMachine(options);
        _height = app.LastHeader.Number + 1;
        _view = new HeightView(_height, app.Validators);
        _status = new ConsensusStatus(_height, 0, "new-height", IsValidator(app.Validators));
    }

    /// <summary>Raised on the engine thread with two conflicting signed votes of one validator (evidence).</summary>
    public event Action<SignedVote, SignedVote>? EquivocationDetected;

    /// <summary>Raised on the engine thread after a block is finalized (by consensus or block sync).</summary>
    public event Action<Block>? BlockFinalized;

    public ConsensusStatus Status
    {
        get { lock (_statusGate) return _status; }
    }

    /// <summary>Queues a block whose commit the caller verified; the engine finalizes it if it is the next height.</summary>
    public void ApplySyncedBlock(Block block) => _inputs.Writer.TryWrite(new SyncedBlockInput(block));

    public async Task RunAsync(CancellationToken ct)
    {
        _options.Validate();
        _ct = ct;
        if (_options.EquivocateForFaultTests) LogEquivocating(_logger);
        using var wal = new ConsensusWal(_walDirectory);
        _wal = wal;
        _guard = _key is null ? null : new SigningGuard(_key, _chainId, wal);
        _network.MessageReceived += OnMessage;
        try
        {
            BeginHeight(_app.LastHeader.Number + 1);
            UpdateStatus();
            _ = RebroadcastLoopAsync(ct);
            await foreach (var input in _inputs.Reader.ReadAllAsync(ct))
                Process(input);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested) { }
        finally
        {
            _network.MessageReceived -= OnMessage;
            _wal = null;
            _guard = null;
        }
    }

    private bool IsValidator(ValidatorSet set) => _key is not null && set.Find(_key.Address) is not null;

    private async Task RebroadcastLoopAsync(CancellationToken ct)
    {
        try
        {
            while (!ct.IsCancellationRequested)
            {
                await Task.Delay(_options.RebroadcastInterval, _time, ct);
                _inputs.Writer.TryWrite(new RebroadcastInput());
            }
        }
        catch (OperationCanceledException) { }
    }

    // ---- network threads: decode and verify, then queue ----

    private void OnMessage(PeerId from, MessageKind kind, ReadOnlyMemory<byte> payload)
    {
        try
        {
            var view = _view;
            switch (kind)
            {
                case MessageKind.Proposal:
                    if (Proposal.TryPeekKey(payload.Span, out var key))
                        lock (_seenProposals) { if (_seenProposals.Contains(key)) return; }
                    if (!Proposal.TryDecode(payload.Span, _options.MaxProposalBytes, _options.MaxProposalBytes, out var proposal, out var error))
                    {
                        _network.Disconnect(from, "undecodable proposal: " + error);
                        return;
                    }
                    Route(from, proposal, proposal.Height, view);
                    break;
                case MessageKind.Vote:
                    if (!SignedVote.TryDecode(payload.Span, out var vote))
                    {
                        _network.Disconnect(from, "undecodable vote");
                        return;
                    }
                    Route(from, vote, vote.Height, view);
                    break;
            }
        }
        catch (Exception e)
        {
            LogHandlerError(_logger, kind, from, e);
        }
    }

    private void Route(PeerId from, object message, ulong height, HeightView view)
    {
        if (height == view.Height)
        {
            if (Verify(message, view.Validators) is { } problem) { _network.Disconnect(from, problem); return; }
            if (message is Proposal p) RememberProposal(p, view.Height);
            _inputs.Writer.TryWrite(new MessageInput(from, message, true));
        }
        else if (height > view.Height && height <= view.Height + CatchUpHeights)
        {
            // A later height's set is not known yet, but a signer of the current set keeps its key: a forged message in
            // its name costs the sender the connection now rather than a place in the buffer. It is checked again, against
            // that height's set, when the height starts.
            if (SignerOf(message) is { } signer && view.Validators.Find(signer) is not null && Verify(message, view.Validators) is { } problem)
            {
                _network.Disconnect(from, problem);
                return;
            }
            _inputs.Writer.TryWrite(new MessageInput(from, message, false));
        }
        else if (height < view.Height && height + CatchUpHeights >= view.Height) _inputs.Writer.TryWrite(new LaggingPeerInput(from, height, message));
    }

    private static Address? SignerOf(object message) => message switch
    {
        SignedVote v => v.Validator,
        Proposal p => p.Proposer,
        _ => null,
    };

    private void RememberProposal(Proposal p, ulong height)
    {
        lock (_seenProposals)
        {
            if (_seenProposals.Count >= 256) _seenProposals.RemoveWhere(k => k.Height < height);
            if (_seenProposals.Count < 1024) _seenProposals.Add(p.Key);
        }
    }

    /// <summary>
    /// A message for a height we already decided: checked against that height's validators (on this thread, which owns
    /// the app) so a forged or non-validator message still costs its sender the connection, then answered with catch-up.
    /// </summary>
    private void OnLaggingPeer(LaggingPeerInput l)
    {
        if (Verify(l.Message, _app.GetValidators(l.Height)) is { } problem) { _network.Disconnect(l.Peer, problem); return; }
        SendCatchUp(l.Peer, l.Height);
    }

    /// <summary>Null if the message is signed by a validator of <paramref name="validators"/>, else why not.</summary>
    private string? Verify(object message, ValidatorSet validators)
    {
        switch (message)
        {
            case SignedVote v:
                if (validators.Find(v.Validator) is not { } voter) return $"vote from {v.Validator}, not a validator at height {v.Height}";
                return v.VerifySignature(voter.PublicKey, _chainId) ? null : $"bad vote signature from {v.Validator}";
            case Proposal p:
                if (validators.Find(p.Proposer) is not { } proposer) return $"proposal from {p.Proposer}, not a validator at height {p.Height}";
                return p.VerifySignature(proposer.PublicKey, _chainId) ? null : $"bad proposal signature from {p.Proposer}";
            default:
                return "unknown message";
        }
    }

    // ---- engine thread ----

    private void Process(Input input)
    {
        try
        {
            switch (input)
            {
                case MessageInput m: OnMessageInput(m); break;
                case TimerInput t: Feed(t.Timeout); if (t.Timeout.Height == _height) Rebroadcast(); break;
                case StartDueInput s when s.Height == _height && !_heightStarted: StartWhenDue(); break;
                case SyncedBlockInput b: OnSyncedBlock(b.Block); break;
                case RebroadcastInput: Rebroadcast(); break;
                case LaggingPeerInput l: OnLaggingPeer(l); break;
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogLoopError(_logger, input.GetType().Name, e);
        }
        UpdateStatus();
    }

    private void UpdateStatus()
    {
        var status = new ConsensusStatus(_height, _machine.Round, _heightStarted ? _machine.Step.ToString().ToLowerInvariant() : "new-height", IsValidator(_view.Validators));
        lock (_statusGate) _status = status;
    }

    private void BeginHeight(ulong height)
    {
        _height = height;
        _heightStarted = false;
        _validity.Clear();
        _view = new HeightView(height, _app.Validators);
        StartWhenDue();
    }

    private void StartWhenDue()
    {
        var last = _app.LastHeader;
        var nowMs = (ulong)_time.GetUtcNow().ToUnixTimeMilliseconds();
        var dueMs = last.TimestampMs + (ulong)_options.BlockInterval.TotalMilliseconds;
        // Every node waits out the block interval from the last block's timestamp, so empty blocks come once per interval.
        if (last.Number == 0 || dueMs <= nowMs) StartHeightNow();
        else After(TimeSpan.FromMilliseconds(dueMs - nowMs), new StartDueInput(_height)); // re-checked: timers may fire a tick early
    }

    private void StartHeightNow()
    {
        _heightStarted = true;
        var set = _app.Validators;
        _view = new HeightView(_height, set);
        Feed(new StartHeight(_height, set, _key?.Address));
        // After a restart: our logged votes of this height are our votes (they restore the lock) and go out again.
        if (_wal is not null && IsValidator(set))
        {
            foreach (var vote in _wal.VotesAt(_height))
            {
                _network.Broadcast(MessageKind.Vote, vote.Encode());
                Feed(new VoteReceived(vote));
            }
        }
        var buffered = _buffered.ToList();
        _buffered.Clear();
        _bufferedPerPeer.Clear();
        foreach (var m in buffered) OnMessageInput(m);
    }

    private void OnMessageInput(MessageInput m)
    {
        ulong height = m.Message switch { Proposal p => p.Height, SignedVote v => v.Height, _ => 0 };
        if (height > _height || (height == _height && !_heightStarted))
        {
            // Later heights wait here: a node catching up receives several decided heights at once.
            if (height > _height + CatchUpHeights || _buffered.Count >= MaxBufferedMessages) return;
            if (m.From is { } from)
            {
                int held = _bufferedPerPeer.GetValueOrDefault(from);
                if (held >= MaxBufferedPerPeer) return;
                _bufferedPerPeer[from] = held + 1;
            }
            _buffered.Add(m);
            return;
        }
        if (height < _height)
        {
            if (m.From is { } peer) SendCatchUp(peer, height);
            return;
        }
        if (!m.Verified && Verify(m.Message, _view.Validators) is { } problem)
        {
            if (m.From is { } from) _network.Disconnect(from, problem);
            return;
        }
        switch (m.Message)
        {
            case Proposal p: OnProposal(p); break;
            case SignedVote v: Feed(new VoteReceived(v)); break;
        }
    }

    /// <summary>A peer's proposal and our own take this one path: header checks, then the application's verdict.</summary>
    private void OnProposal(Proposal p)
    {
        var header = p.Block.Header;
        bool valid;
        if (header.Number != _height) valid = false;
        else if (p.PolRound == -1 && header.Proposer != p.Proposer) valid = false;
        else if (_view.Validators.Find(header.Proposer) is null) valid = false;
        else if (!_validity.TryGetValue(p.BlockHash, out valid))
        {
            valid = _app.ProcessProposal(p.Block, out var error);
            if (!valid) LogInvalidProposal(_logger, p.Height, p.Round, p.Proposer, error);
            _validity[p.BlockHash] = valid;
        }
        Feed(new ProposalReceived(p, valid));
    }

    private void Feed(ConsensusInput input)
    {
        foreach (var action in _machine.Handle(input)) Execute(action);
    }

    private void Execute(ConsensusAction action)
    {
        switch (action)
        {
            case BuildBlock b:
                LogStep(_logger, b.Height, b.Round, "build");
                if (_guard?.LoggedProposal(b.Height, b.Round) is { } logged) { SendProposal(logged); break; }
                Block block;
                try { block = _app.PrepareProposal(b.Height, (ulong)_time.GetUtcNow().ToUnixTimeMilliseconds(), _key!.Address); }
                catch (Exception e) when (e is InvalidOperationException or ArgumentException)
                {
                    LogLoopError(_logger, "PrepareProposal", e);
                    break;
                }
                Feed(new OwnBlockReady(b.Height, b.Round, block));
                break;
            case BroadcastProposal p:
                if (_guard is null) break;
                SendProposal(_guard.SignProposal(p.Height, p.Round, p.PolRound, p.Block));
                break;
            case BroadcastVote v:
                if (_guard is null) break;
                LogStep(_logger, v.Height, v.Round, v.Type.ToString());
                var vote = _guard.SignVote(v.Type, v.Height, v.Round, v.BlockHash);
                _network.Broadcast(MessageKind.Vote, vote.Encode());
                if (_options.EquivocateForFaultTests && v.Type == VoteType.Prevote) Equivocate(vote);
                Feed(new VoteReceived(vote));
                break;
            case ScheduleTimeout t:
                After(t.Delay, new TimerInput(new TimeoutFired(t.Height, t.Round, t.Step)));
                break;
            case Decide d:
                OnDecide(d);
                break;
            case Tendermint.EquivocationDetected e:
                LogEquivocation(_logger, e.First.Validator, e.First.Height, e.First.Round, e.First.Type, e.First.BlockHash, e.Second.BlockHash);
                EquivocationDetected?.Invoke(e.First, e.Second);
                break;
        }
    }

    private void SendProposal(Proposal proposal)
    {
        _proposalSent = (proposal.Height, proposal.Round, _time.GetTimestamp());
        _network.Broadcast(MessageKind.Proposal, proposal.Encode());
        OnProposal(proposal);
    }

    /// <summary>The byzantine test build: a second, conflicting prevote that bypasses the WAL.</summary>
    private void Equivocate(SignedVote honest)
    {
        var other = honest.IsNil ? Keccak.Hash256(Guid.NewGuid().ToByteArray()) : Hash32.Zero;
        var conflicting = SignedVote.Sign(_key!, _chainId, VoteType.Prevote, honest.Height, honest.Round, other);
        _network.Broadcast(MessageKind.Vote, conflicting.Encode());
    }

    private void OnDecide(Decide d)
    {
        var commit = new Commit(d.Height, d.Round, d.Block.Hash, [.. d.Precommits.Select(v => new CommitSignature(v.Validator, v.Signature))]);
        var block = new Block { Header = d.Block.Header, Transactions = d.Block.Transactions, Results = d.Block.Results, Commit = commit };
        _app.FinalizeBlock(block);
        _app.Commit();
        if (_machine.ProposalOf(d.Round) is { } proposal)
        {
            _catchUps[d.Height] = new CatchUp(d.Height, proposal, [.. d.Precommits], _time.GetTimestamp());
            while (_catchUps.Count > CatchUpHeights) _catchUps.Remove(_catchUps.Keys.First());
        }
        LogFinalized(_logger, d.Height, d.Round, block.Transactions.Count, block.Hash);
        AfterFinalized(block);
    }

    private void OnSyncedBlock(Block block)
    {
        if (block.Number != _app.LastHeader.Number + 1) return;
        _app.FinalizeBlock(block);
        _app.Commit();
        LogSynced(_logger, block.Number, block.Hash);
        AfterFinalized(block);
    }

    private void AfterFinalized(Block block)
    {
        _wal?.PruneBelow(block.Number + 1);
        BlockFinalized?.Invoke(_app.GetBlock(block.Number) ?? block);
        BeginHeight(block.Number + 1);
    }

    /// <summary>Re-sends this validator's recent votes (and its proposal) of the current height, for peers that restarted or missed them.</summary>
    private void Rebroadcast()
    {
        if (!_heightStarted || _guard is null || _wal is null) return;
        var round = _machine.Round;
        foreach (var vote in _wal.VotesAt(_height))
            if (vote.Round + 1 >= round) _network.Broadcast(MessageKind.Vote, vote.Encode());
        // The proposal (up to a few MB) only when the round has stalled for two intervals since it went out: peers that
        // have it drop the copy unread, but it still costs a copy per peer at every interval of every busy height.
        if (_wal.FindProposal(_height, round) is { } proposal
            && (_proposalSent.Height != _height || _proposalSent.Round != round
                || _time.GetElapsedTime(_proposalSent.SentAt) >= 2 * _options.RebroadcastInterval))
        {
            _proposalSent = (_height, round, _time.GetTimestamp());
            _network.Broadcast(MessageKind.Proposal, proposal.Encode());
        }
    }

    /// <summary>
    /// A peer still deciding a height we decided gets, for that height and each later one we remember, the decided
    /// proposal and its precommits: enough to decide them all in a row and rejoin (Tendermint's catch-up commits).
    /// </summary>
    private void SendCatchUp(PeerId peer, ulong height)
    {
        if (!_catchUps.TryGetValue(height, out var first)) return;
        var now = _time.GetTimestamp();
        // A peer whose precommits for a height arrive just after we decided it is not lagging: it decides on the same
        // precommits a moment later. Only a peer still on that height after a rebroadcast interval gets catch-up
        // (it re-sends its votes every interval, so it asks again); sending a full block to every slightly slower peer
        // at every height tripled the proposal traffic and decoding under load.
        if (_time.GetElapsedTime(first.DecidedAt, now) < _options.RebroadcastInterval) return;
        if (_lastCatchUpSent.TryGetValue(peer, out var last) && _time.GetElapsedTime(last, now) < _options.RebroadcastInterval / 2) return;
        _lastCatchUpSent[peer] = now;
        foreach (var (_, c) in _catchUps.Where(kv => kv.Key >= height))
        {
            _network.Send(peer, MessageKind.Proposal, c.Proposal.Encode());
            foreach (var v in c.Precommits) _network.Send(peer, MessageKind.Vote, v.Encode());
        }
    }

    private void After(TimeSpan delay, Input input)
    {
        var ct = _ct;
        _ = Task.Delay(delay, _time, ct).ContinueWith(
            static (t, state) => { if (!t.IsCanceled) ((Action)state!)(); },
            (Action)(() => _inputs.Writer.TryWrite(input)), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Finalized block {Height} in round {Round} with {Count} txs, hash {Hash}")]
    private static partial void LogFinalized(ILogger logger, ulong height, uint round, int count, Hash32 hash);

    [LoggerMessage(Level = LogLevel.Information, Message = "Applied synced block {Height} {Hash}")]
    private static partial void LogSynced(ILogger logger, ulong height, Hash32 hash);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Height {Height} round {Round}: {Step}")]
    private static partial void LogStep(ILogger logger, ulong height, uint round, string step);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Invalid proposal for {Height}/{Round} from {Proposer}: {Error}")]
    private static partial void LogInvalidProposal(ILogger logger, ulong height, uint round, Address proposer, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Equivocation by {Validator} at {Height}/{Round} {Type}: {First} and {Second}")]
    private static partial void LogEquivocation(ILogger logger, Address validator, ulong height, uint round, VoteType type, Hash32 first, Hash32 second);

    [LoggerMessage(Level = LogLevel.Warning, Message = "EquivocateForFaultTests is on: this validator will double-sign prevotes (byzantine test build)")]
    private static partial void LogEquivocating(ILogger logger);

    [LoggerMessage(Level = LogLevel.Error, Message = "Consensus failed to handle {Input}")]
    private static partial void LogLoopError(ILogger logger, string input, Exception e);

    [LoggerMessage(Level = LogLevel.Error, Message = "Failed to handle a {Kind} message from {Peer}")]
    private static partial void LogHandlerError(ILogger logger, MessageKind kind, PeerId peer, Exception e);
}
