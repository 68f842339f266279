using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Pwr.Core;

namespace Pwr.Vm;

/// <summary>
/// Compares a VM host's roots with its peers' and rolls the host back when they disagree, so a node never keeps
/// serving a state the others do not share. Runs on its own task, never on the VM's execution thread.
/// </summary>
/// <remarks>
/// <para>Every check (each <see cref="VmHostOptions.AgreementInterval"/>) does two things. It saves a candidate
/// checkpoint: a hard-linked RocksDB snapshot of the store at whatever height it has reached. And it asks every peer,
/// once, for its root at the newest candidate taken by an earlier check, so peers have had an interval to reach it.</para>
/// <para>Decision rule, with A = peers that answered with a root and M = answers equal to the local root: no answers
/// (peers unreachable, behind, or withholding: a 404 is "not yet", not a disagreement) changes nothing; 3·M ≥ 2·A
/// agrees; 3·M &lt; 2·A ("fewer than 2/3 of the answers match") diverges. The local host does not vote for itself.</para>
/// <para>Agreed candidates become agreed checkpoints (the newest <see cref="VmHostOptions.AgreementCheckpointsKept"/>
/// are kept). On divergence the store is restored to the newest agreed checkpoint on the host thread between two
/// blocks, then re-executes the finalized blocks: if the corruption was local, that gives the honest state again.
/// Snapshots rather than per-block undo records, because undo records live in the same store as the corruption and
/// cannot repair keys no block touched; a snapshot restores every byte. If peers disagree again before a height at or
/// past the divergence has been agreed, the checkpoint itself is suspect (a corrupted value the root did not cover yet
/// when it was agreed): it is skipped and the host replays the chain from genesis, which needs nothing but the blocks.
/// Only if that diverges too (a VM build that computes other roots) is the host rolled back once more and halted
/// instead of looping.</para>
/// <para>While a divergence is open, roots above the last agreed height are withheld from <c>/rootHash</c>.</para>
/// </remarks>
public sealed partial class VmRootAgreement : IAsyncDisposable
{
    /// <summary>Candidate checkpoints kept while waiting for answers; older ones are dropped (roots are cumulative, so checking the newest suffices).</summary>
    public const int MaxCandidates = 4;

    private const string AgreedPrefix = "agreed-", CandidatePrefix = "candidate-", TempPrefix = "tmp-";

    /// <summary>File in <see cref="CheckpointDirectory"/> that keeps a halt across restarts (until an operator deletes the directory).</summary>
    public const string HaltMarkerName = "HALTED";

    private readonly VmHost _host;
    private readonly IReadOnlyList<IVmPeerRootSource> _peers;
    private readonly bool _ownsPeers;
    private readonly VmHostOptions _options;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly SemaphoreSlim _checkGate = new(1, 1);
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _gate = new();
    private readonly List<Snapshot> _agreed = [];
    private readonly List<Snapshot> _candidates = [];
    private Task? _loop;
    private VmAgreementState _state = VmAgreementState.InAgreement;
    private ulong _lastAgreedHeight;
    private VmDivergence? _divergence;
    private long _checks, _divergences, _rollbacks;
    private string? _lastError;
    private bool _stopped;
    private (ulong Height, string Reason)? _persistedHalt;

    /// <summary>
    /// Attaches root agreement to <paramref name="host"/> (before it starts; <see cref="VmHost.Start"/> then starts the
    /// checks). Settings come from the host's <see cref="VmHost.Options"/>; existing agreed checkpoints in
    /// <see cref="CheckpointDirectory"/> are reused.
    /// </summary>
    /// <param name="ownsPeers">Dispose peers that are <see cref="IDisposable"/> when the agreement stops.</param>
    public VmRootAgreement(VmHost host, IReadOnlyList<IVmPeerRootSource> peers, bool ownsPeers = false, ILogger? logger = null, TimeProvider? time = null)
    {
        _host = host ?? throw new ArgumentNullException(nameof(host));
        ArgumentNullException.ThrowIfNull(peers);
        if (peers.Count == 0) throw new ArgumentException("root agreement needs at least one peer", nameof(peers));
        _peers = peers;
        _ownsPeers = ownsPeers;
        _options = host.Options;
        _logger = logger ?? NullLogger.Instance;
        _time = time ?? TimeProvider.System;
        CheckpointDirectory = _options.AgreementCheckpointDirectory
            ?? host.Store.Path.TrimEnd(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar) + ".agreement";
        LoadCheckpoints();
        host.Attach(this);
    }

    public ulong VmId => _host.VmId;

    /// <summary>The halt recorded before this process started (<see cref="HaltMarkerName"/>): the host starts halted.</summary>
    internal (ulong Height, string Reason)? PersistedHalt { get { lock (_gate) return _persistedHalt; } }

    /// <summary>Where the agreed and candidate snapshots live (one sub-directory each).</summary>
    public string CheckpointDirectory { get; }

    public ulong LastAgreedHeight { get { lock (_gate) return _lastAgreedHeight; } }

    public VmAgreementState State { get { lock (_gate) return _state; } }

    /// <summary>Heights of the agreed checkpoints on disk, oldest first.</summary>
    public IReadOnlyList<ulong> AgreedCheckpoints { get { lock (_gate) return [.. _agreed.Select(s => s.Height)]; } }

    public VmAgreementStatus GetStatus()
    {
        lock (_gate) return new VmAgreementStatus(_state, _lastAgreedHeight, _divergence, _peers.Count, _checks, _divergences, _rollbacks, _lastError);
    }

    /// <summary>Why the root after <paramref name="height"/> must not be served; null when it may be.</summary>
    public string? RootWithheldReason(ulong height)
    {
        lock (_gate)
        {
            if (_state == VmAgreementState.InAgreement || height <= _lastAgreedHeight || _divergence is null) return null;
            return string.Create(CultureInfo.InvariantCulture,
                $"VM {VmId} disagreed with its peers at block {_divergence.Height} and is {(_state == VmAgreementState.Halted ? "halted" : "re-executing")}; roots above the last agreed block {_lastAgreedHeight} are withheld");
        }
    }

    /// <summary>Starts checking every <see cref="VmHostOptions.AgreementInterval"/> on a background task; <see cref="VmHost.Start"/> calls it.</summary>
    public void Start()
    {
        lock (_gate)
        {
            if (_loop is not null || _stopped) return;
            _loop = Task.Run(LoopAsync);
        }
    }

    /// <summary>Stops the checks (waiting for one in progress) and disposes owned peers.</summary>
    public async Task StopAsync()
    {
        Task? loop;
        lock (_gate)
        {
            if (_stopped) return;
            _stopped = true;
            loop = _loop;
        }
        await _stop.CancelAsync().ConfigureAwait(false);
        if (loop is not null) await loop.ConfigureAwait(false);
        if (_ownsPeers)
            foreach (var peer in _peers) (peer as IDisposable)?.Dispose();
    }

    public async ValueTask DisposeAsync() => await StopAsync().ConfigureAwait(false);

    /// <summary>
    /// One check: compares the newest candidate checkpoint from an earlier check with the peers (one request per peer)
    /// and acts on the answer, then saves a new candidate at the current height.
    /// </summary>
    public async Task<VmAgreementCheck> CheckOnceAsync(CancellationToken cancellationToken = default)
    {
        await _checkGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_host.State != VmHostState.Running || State == VmAgreementState.Halted) return default;
            Snapshot? candidate;
            lock (_gate) candidate = _candidates.Count > 0 ? _candidates[^1] : null;
            var result = candidate is null ? default : await CompareAsync(candidate, cancellationToken).ConfigureAwait(false);
            if (result.Outcome is not (VmAgreementOutcome.Diverged or VmAgreementOutcome.Halted)) SaveCandidate();
            return result;
        }
        finally
        {
            _checkGate.Release();
        }
    }

    private async Task LoopAsync()
    {
        var token = _stop.Token;
        using var timer = new PeriodicTimer(_options.AgreementInterval, _time);
        try
        {
            while (await timer.WaitForNextTickAsync(token).ConfigureAwait(false))
            {
                try
                {
                    await CheckOnceAsync(token).ConfigureAwait(false);
                }
                catch (Exception e) when (e is not OperationCanceledException || !token.IsCancellationRequested)
                {
                    Failed("agreement check: " + e.Message);
                }
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
        }
    }

    private async Task<VmAgreementCheck> CompareAsync(Snapshot candidate, CancellationToken cancellationToken)
    {
        ulong height = candidate.Height;
        if (!_host.Store.TryGetRoot(height, out var local))
        {
            // The store no longer has the height (restored below it): the candidate is stale.
            DropCandidates(_ => true);
            return default;
        }
        var asked = new Task<Hash32?>[_peers.Count];
        for (int i = 0; i < asked.Length; i++) asked[i] = AskAsync(_peers[i], height, cancellationToken);
        var answers = (await Task.WhenAll(asked).ConfigureAwait(false)).Where(a => a.HasValue).Select(a => a!.Value).ToList();
        int agreeing = answers.Count(a => a == local);
        if (answers.Count == 0)
        {
            Log.NoAnswers(_logger, VmId, height, _peers.Count);
            return new VmAgreementCheck(VmAgreementOutcome.NoAnswers, height, 0, 0);
        }
        lock (_gate) _checks++;
        if (3L * agreeing >= 2L * answers.Count)
        {
            Agree(candidate);
            return new VmAgreementCheck(VmAgreementOutcome.Agreed, height, answers.Count, agreeing);
        }
        var peerRoot = answers.GroupBy(a => a).OrderByDescending(g => g.Count()).ThenBy(g => g.Key.ToString(), StringComparer.Ordinal).First().Key;
        bool halted = await DivergeAsync(height, local, peerRoot, agreeing, answers.Count).ConfigureAwait(false);
        return new VmAgreementCheck(halted ? VmAgreementOutcome.Halted : VmAgreementOutcome.Diverged, height, answers.Count, agreeing);
    }

    private async Task<Hash32?> AskAsync(IVmPeerRootSource peer, ulong height, CancellationToken cancellationToken)
    {
        using var timeout = new CancellationTokenSource(_options.AgreementPeerTimeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        try
        {
            return await peer.GetRootHashAsync(VmId, height, linked.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            // Unreachable, timed out or answering garbage: not an answer, so it can neither confirm nor condemn us.
            Log.PeerUnreachable(_logger, VmId, peer.Name, height, e.Message);
            return null;
        }
    }

    private void Agree(Snapshot candidate)
    {
        var agreed = new Snapshot(candidate.Height, Path.Combine(CheckpointDirectory, Name(AgreedPrefix, candidate.Height)));
        bool resolved = false;
        lock (_gate)
        {
            _candidates.Remove(candidate);
            if (Directory.Exists(agreed.Directory)) DeleteDirectory(candidate.Directory);
            else Directory.Move(candidate.Directory, agreed.Directory);
            _agreed.RemoveAll(s => s.Height == agreed.Height);
            _agreed.Add(agreed);
            _lastAgreedHeight = Math.Max(_lastAgreedHeight, agreed.Height);
            if (_state == VmAgreementState.Diverged && _divergence is not null && agreed.Height >= _divergence.Height)
            {
                _state = VmAgreementState.InAgreement;
                _divergence = null;
                resolved = true;
            }
            while (_agreed.Count > _options.AgreementCheckpointsKept)
            {
                DeleteDirectory(_agreed[0].Directory);
                _agreed.RemoveAt(0);
            }
        }
        DropCandidates(s => s.Height <= agreed.Height);
        if (resolved) Log.Resolved(_logger, VmId, agreed.Height);
    }

    /// <summary>Rolls the store back to the newest agreed checkpoint; true when the host was halted as well.</summary>
    private async Task<bool> DivergeAsync(ulong height, Hash32 local, Hash32 peerRoot, int agreeing, int answers)
    {
        Snapshot? target;
        bool halt;
        VmDivergence divergence;
        lock (_gate)
        {
            target = _agreed.Count > 0 ? _agreed[^1] : null;
            // Diverging again while the last divergence is open: after a rollback to an agreed checkpoint (which then
            // reproduced it), replay from genesis (nothing but the finalized blocks); after a replay from genesis, halt.
            // A halt still restores the newest agreed checkpoint, whose root the peers confirmed.
            bool again = _state == VmAgreementState.Diverged;
            halt = again && _divergence!.RolledBackTo == 0;
            if (again) target = halt ? target : null;
            divergence = new VmDivergence(height, local, peerRoot, agreeing, answers, target?.Height ?? 0);
            // Withhold the disputed roots at once, before the rollback gets its turn on the host thread.
            _state = halt ? VmAgreementState.Halted : VmAgreementState.Diverged;
            _divergence = divergence;
            _divergences++;
        }
        DropCandidates(_ => true);
        string reason = string.Create(CultureInfo.InvariantCulture,
            $"diverged from its peers at block {height}: {agreeing} of {answers} answers match the local root {local}, most peers have {peerRoot}");
        if (halt) Log.Halted(_logger, VmId, height, agreeing, answers, local, peerRoot, divergence.RolledBackTo);
        else Log.Diverged(_logger, VmId, height, agreeing, answers, local, peerRoot, divergence.RolledBackTo);

        try
        {
            await _host.RunBetweenBlocksAsync(() =>
            {
                try
                {
                    _host.Store.RestoreSnapshot(target?.Directory);
                }
                catch (Exception e)
                {
                    _host.HaltForDivergence(height, reason + "; rolling back failed: " + e.Message);
                    throw;
                }
                if (halt) _host.HaltForDivergence(height, reason + " again after a rollback; halted");
            }).ConfigureAwait(false);
            lock (_gate) _rollbacks++;
        }
        catch (Exception e)
        {
            lock (_gate) _state = VmAgreementState.Halted;
            Failed($"rolling VM {VmId} back to block {target?.Height ?? 0} failed: {e.Message}");
            WriteHaltMarker(divergence, reason + "; rolling back failed: " + e.Message);
            return true;
        }
        if (halt) WriteHaltMarker(divergence, reason + " again after a rollback; halted");
        return halt;
    }

    private void SaveCandidate()
    {
        ulong height = _host.Store.Height;
        lock (_gate)
        {
            ulong newest = Math.Max(_lastAgreedHeight, _candidates.Count > 0 ? _candidates[^1].Height : 0);
            if (height == 0 || height <= newest) return;
        }
        string temp = Path.Combine(CheckpointDirectory, TempPrefix + Guid.NewGuid().ToString("N"));
        try
        {
            var saved = _host.Store.SaveSnapshot(temp);
            var snapshot = new Snapshot(saved.Height, Path.Combine(CheckpointDirectory, Name(CandidatePrefix, saved.Height)));
            lock (_gate)
            {
                ulong newest = Math.Max(_lastAgreedHeight, _candidates.Count > 0 ? _candidates[^1].Height : 0);
                if (saved.Height <= newest || Directory.Exists(snapshot.Directory))
                {
                    DeleteDirectory(temp);
                    return;
                }
                Directory.Move(temp, snapshot.Directory);
                _candidates.Add(snapshot);
            }
            DropCandidates(s => s.Height < saved.Height && _candidates.Count > MaxCandidates);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException)
        {
            DeleteDirectory(temp);
            Failed($"saving a checkpoint of VM {VmId}: {e.Message}");
        }
    }

    private void DropCandidates(Func<Snapshot, bool> drop)
    {
        lock (_gate)
        {
            for (int i = 0; i < _candidates.Count;)
            {
                if (!drop(_candidates[i])) { i++; continue; }
                DeleteDirectory(_candidates[i].Directory);
                _candidates.RemoveAt(i);
            }
        }
    }

    // Agreed checkpoints survive restarts; candidates and half-written snapshots do not (they were never confirmed).
    private void LoadCheckpoints()
    {
        Directory.CreateDirectory(CheckpointDirectory);
        ulong storeHeight = _host.Store.Height;
        foreach (var dir in Directory.GetDirectories(CheckpointDirectory))
        {
            string name = Path.GetFileName(dir);
            if (name.StartsWith(AgreedPrefix, StringComparison.Ordinal)
                && ulong.TryParse(name.AsSpan(AgreedPrefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out ulong height)
                && height <= storeHeight)
                _agreed.Add(new Snapshot(height, dir));
            else
                DeleteDirectory(dir);
        }
        _agreed.Sort((a, b) => a.Height.CompareTo(b.Height));
        _lastAgreedHeight = _agreed.Count > 0 ? _agreed[^1].Height : 0;
        ReadHaltMarker();
    }

    // A halted VM stays halted after a restart: re-executing the same corrupted or mismatching state would only
    // diverge again, and an operator has to look first (the log line says what to delete).
    private void WriteHaltMarker(VmDivergence d, string reason)
    {
        string path = Path.Combine(CheckpointDirectory, HaltMarkerName);
        string text = string.Create(CultureInfo.InvariantCulture,
            $"{d.Height} {d.LocalRoot} {d.PeerRoot} {d.Agreeing} {d.Answers} {d.RolledBackTo}\n{reason.ReplaceLineEndings(" ")}\n");
        try
        {
            string temp = path + ".tmp";
            using (var file = new FileStream(temp, FileMode.Create, FileAccess.Write))
            {
                file.Write(System.Text.Encoding.UTF8.GetBytes(text));
                file.Flush(flushToDisk: true);
            }
            File.Move(temp, path, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Failed($"recording the halt of VM {VmId} in {path}: {e.Message}");
        }
    }

    private void ReadHaltMarker()
    {
        string path = Path.Combine(CheckpointDirectory, HaltMarkerName);
        if (!File.Exists(path)) return;
        var lines = File.ReadAllLines(path);
        var f = lines.Length > 0 ? lines[0].Split(' ') : [];
        if (f.Length == 6 && ulong.TryParse(f[0], NumberStyles.None, CultureInfo.InvariantCulture, out ulong height)
            && Hash32.TryParse(f[1], out var local) && Hash32.TryParse(f[2], out var peer)
            && int.TryParse(f[3], NumberStyles.None, CultureInfo.InvariantCulture, out int agreeing)
            && int.TryParse(f[4], NumberStyles.None, CultureInfo.InvariantCulture, out int answers)
            && ulong.TryParse(f[5], NumberStyles.None, CultureInfo.InvariantCulture, out ulong rolledBackTo))
        {
            _divergence = new VmDivergence(height, local, peer, agreeing, answers, rolledBackTo);
            string why = lines.Length > 1 ? lines[1] : "diverged from its peers";
            _persistedHalt = (height, $"{why} (recorded in {path} before this start; delete {CheckpointDirectory} and the VM's store to resync)");
        }
        else
        {
            // Unreadable marker: still halted, the safe side.
            _persistedHalt = (_lastAgreedHeight, $"halted before this start ({path} is unreadable); delete {CheckpointDirectory} and the VM's store to resync");
        }
        _state = VmAgreementState.Halted;
        Log.StartedHalted(_logger, VmId, _persistedHalt.Value.Reason);
    }

    private void Failed(string message)
    {
        lock (_gate) _lastError = message;
        Log.Failed(_logger, VmId, message);
    }

    private static string Name(string prefix, ulong height) => prefix + height.ToString("D20", CultureInfo.InvariantCulture);

    private static void DeleteDirectory(string directory)
    {
        try
        {
            if (Directory.Exists(directory)) Directory.Delete(directory, recursive: true);
        }
        catch (IOException)
        {
            // A leftover snapshot costs disk only; the next start deletes it.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    private sealed record Snapshot(ulong Height, string Directory);

    private static partial class Log
    {
        [LoggerMessage(EventId = 20, Level = LogLevel.Error,
            Message = "VM {VmId} diverged from its peers at block {Height}: {Agreeing} of {Answers} answers match the local root {LocalRoot} (most peers: {PeerRoot}). Rolled back to the agreed block {RolledBackTo} and re-executing (block 0: replaying from genesis); if that diverges too the host halts. Check this machine's disk and memory")]
        public static partial void Diverged(ILogger logger, ulong vmId, ulong height, int agreeing, int answers, Hash32 localRoot, Hash32 peerRoot, ulong rolledBackTo);

        [LoggerMessage(EventId = 21, Level = LogLevel.Critical,
            Message = "VM {VmId} diverged from its peers again at block {Height}: {Agreeing} of {Answers} answers match the local root {LocalRoot} (most peers: {PeerRoot}). Rolled back to the agreed block {RolledBackTo} and HALTED. Stop the node, delete this VM's store and its .agreement directory and let it resync, or compare the VM build with the peers'")]
        public static partial void Halted(ILogger logger, ulong vmId, ulong height, int agreeing, int answers, Hash32 localRoot, Hash32 peerRoot, ulong rolledBackTo);

        [LoggerMessage(EventId = 22, Level = LogLevel.Information, Message = "VM {VmId} agrees with its peers again at block {Height}")]
        public static partial void Resolved(ILogger logger, ulong vmId, ulong height);

        [LoggerMessage(EventId = 23, Level = LogLevel.Debug, Message = "VM {VmId}: none of {Peers} peers had a root for block {Height} yet")]
        public static partial void NoAnswers(ILogger logger, ulong vmId, ulong height, int peers);

        [LoggerMessage(EventId = 24, Level = LogLevel.Debug, Message = "VM {VmId}: peer {Peer} gave no root for block {Height}: {Reason}")]
        public static partial void PeerUnreachable(ILogger logger, ulong vmId, string peer, ulong height, string reason);

        [LoggerMessage(EventId = 26, Level = LogLevel.Critical, Message = "VM {VmId} starts HALTED: {Reason}")]
        public static partial void StartedHalted(ILogger logger, ulong vmId, string reason);

        [LoggerMessage(EventId = 25, Level = LogLevel.Warning, Message = "VM {VmId} root agreement: {Reason}")]
        public static partial void Failed(ILogger logger, ulong vmId, string reason);
    }
}
