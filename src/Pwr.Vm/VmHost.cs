using System.Collections.Concurrent;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Pwr.Core;

namespace Pwr.Vm;

/// <summary>
/// Runs one VM against a block source on its own dedicated thread: applies finalized blocks strictly in order from
/// the store's checkpoint, one atomic batch per block. A VM that throws halts only this host; a slow one only lags,
/// because <see cref="NotifyNewHeight"/> never blocks (notifications go to a small bounded queue that drops the oldest).
/// </summary>
public sealed partial class VmHost : IDisposable, IAsyncDisposable
{
    private readonly IVirtualMachine _vm;
    private readonly VmStore _store;
    private readonly IVmBlockSource _source;
    private readonly VmHostOptions _options;
    private readonly ILogger _logger;
    private readonly Channel<ulong> _notifications;
    private readonly CancellationTokenSource _stop = new();
    private readonly TaskCompletionSource _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Lock _gate = new();
    private readonly List<(ulong Height, TaskCompletionSource Done)> _waiters = [];
    private readonly ConcurrentQueue<(Action Work, TaskCompletionSource Done)> _betweenBlocks = new();
    private VmRootAgreement? _agreement;
    private Thread? _thread;
    private bool _threadExited;
    private Task<bool>? _pendingWake;
    private VmHostState _state = VmHostState.Created;
    private ulong _sourceHeight;
    private ulong _blocksApplied;
    private long _errorCount;
    private string? _lastError;
    private ulong? _lastErrorBlock;

    /// <summary>Creates a host; the caller keeps ownership of <paramref name="store"/> (dispose it after the host).</summary>
    public VmHost(IVirtualMachine vm, VmStore store, IVmBlockSource source, VmHostOptions? options = null, ILogger? logger = null)
    {
        _vm = vm ?? throw new ArgumentNullException(nameof(vm));
        _store = store ?? throw new ArgumentNullException(nameof(store));
        _source = source ?? throw new ArgumentNullException(nameof(source));
        _options = options ?? new VmHostOptions();
        _options.Validate();
        _logger = logger ?? NullLogger.Instance;
        _notifications = Channel.CreateBounded<ulong>(new BoundedChannelOptions(_options.NotificationCapacity)
        {
            FullMode = BoundedChannelFullMode.DropOldest,
            SingleReader = true,
        });
        if (_options.AgreementPeers.Count > 0)
            _ = new VmRootAgreement(this, [.. _options.AgreementPeers.Select(uri => new PwrNodeClient(uri))], ownsPeers: true, logger: _logger);
    }

    public ulong VmId => _vm.VmId;

    public VmStore Store => _store;

    /// <summary>The last applied block (0 = none).</summary>
    public ulong Height => _store.Height;

    /// <summary>The root after <see cref="Height"/>.</summary>
    public Hash32 Root => _store.Root;

    public VmHostState State { get { lock (_gate) return _state; } }

    public VmHostOptions Options => _options;

    /// <summary>Root agreement with peers: built from <see cref="VmHostOptions.AgreementPeers"/> or attached by a <see cref="VmRootAgreement"/>; null when there is none.</summary>
    public VmRootAgreement? Agreement => Volatile.Read(ref _agreement);

    /// <summary>
    /// The root recorded after block <paramref name="height"/>, if the host has applied it and may serve it: while a
    /// divergence from peers is open, roots above the last agreed height are withheld (see <see cref="RootWithheldReason"/>).
    /// </summary>
    public bool TryGetRoot(ulong height, out Hash32 root)
    {
        if (Agreement?.RootWithheldReason(height) is not null)
        {
            root = Hash32.Zero;
            return false;
        }
        return _store.TryGetRoot(height, out root);
    }

    /// <summary>Why the root after <paramref name="height"/> is not served although it may exist; null when nothing is withheld.</summary>
    public string? RootWithheldReason(ulong height) => Agreement?.RootWithheldReason(height);

    public VmHostStatus GetStatus()
    {
        var checkpoint = _store.Checkpoint;
        lock (_gate)
        {
            return new VmHostStatus(VmId, _state, checkpoint.Height, checkpoint.Root, Math.Max(Volatile.Read(ref _sourceHeight), checkpoint.Height),
                _blocksApplied, _errorCount, _lastError, _lastErrorBlock) { Agreement = Agreement?.GetStatus() };
        }
    }

    internal void Attach(VmRootAgreement agreement)
    {
        lock (_gate)
        {
            if (_state != VmHostState.Created) throw new InvalidOperationException($"attach the agreement to VM host {VmId} before starting it");
            if (_agreement is not null) throw new InvalidOperationException($"VM host {VmId} already has a root agreement");
            Volatile.Write(ref _agreement, agreement);
        }
    }

    /// <summary>
    /// Runs <paramref name="work"/> on the host thread between two blocks, while nothing writes the store, and completes
    /// when it has run; when the host thread is not running (not started, or halted) it runs on the caller's thread.
    /// </summary>
    internal Task RunBetweenBlocksAsync(Action work)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        bool inline;
        lock (_gate)
        {
            if (_state == VmHostState.Stopped) return Task.FromException(new InvalidOperationException($"VM host {VmId} is stopped"));
            inline = _thread is null || _threadExited;
            if (!inline) _betweenBlocks.Enqueue((work, done));
        }
        if (inline)
        {
            lock (_gate) RunWork(work, done);
            return done.Task;
        }
        _notifications.Writer.TryWrite(0);
        return done.Task;
    }

    /// <summary>Runs queued between-block work; false once the host is halted and must not apply more blocks.</summary>
    private bool RunBetweenBlocksWork()
    {
        while (_betweenBlocks.TryDequeue(out var item)) RunWork(item.Work, item.Done);
        return State == VmHostState.Running;
    }

    private static void RunWork(Action work, TaskCompletionSource done)
    {
        try
        {
            work();
            done.TrySetResult();
        }
        catch (Exception e)
        {
            done.TrySetException(e);
        }
    }

    /// <summary>Stops applying blocks because peers disagree; called from between-block work.</summary>
    internal void HaltForDivergence(ulong blockNumber, string reason)
    {
        lock (_gate)
        {
            if (_state != VmHostState.Running) return;
            _state = VmHostState.Halted;
            _errorCount++;
            _lastError = reason;
            _lastErrorBlock = blockNumber;
        }
        FailWaiters(HaltedError());
    }

    /// <summary>Starts the host thread; it catches up from the checkpoint, then follows the source.</summary>
    public void Start()
    {
        lock (_gate)
        {
            if (_state != VmHostState.Created) throw new InvalidOperationException($"VM host {VmId} was already started");
            _state = VmHostState.Running;
            if (Agreement?.PersistedHalt is { } halt)
            {
                // Halted by root agreement before a restart: it stays halted (the thread exits at once) until an operator resyncs it.
                _state = VmHostState.Halted;
                _errorCount++;
                _lastError = halt.Reason;
                _lastErrorBlock = halt.Height;
            }
            _thread = new Thread(Run) { IsBackground = true, Name = $"pwr-vm-{VmId}" };
        }
        _source.HeightAdvanced += NotifyNewHeight;
        _thread.Start();
        Agreement?.Start();
    }

    /// <summary>Tells the host a new finalized height exists. Never blocks and never throws, however far behind the VM is.</summary>
    public void NotifyNewHeight(ulong height)
    {
        RaiseSourceHeight(height);
        _notifications.Writer.TryWrite(height);
    }

    /// <summary>Completes once the host has applied <paramref name="height"/>; fails if it halts or stops first.</summary>
    public Task WaitForHeightAsync(ulong height, CancellationToken cancellationToken = default)
    {
        TaskCompletionSource done;
        lock (_gate)
        {
            if (_store.Height >= height) return Task.CompletedTask;
            if (_state == VmHostState.Halted) return Task.FromException(HaltedError());
            if (_state == VmHostState.Stopped) return Task.FromException(new InvalidOperationException($"VM host {VmId} is stopped at height {_store.Height}"));
            done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((height, done));
        }
        return done.Task.WaitAsync(cancellationToken);
    }

    /// <summary>Stops after the block in progress (blocks are atomic) and waits for the host thread to exit.</summary>
    public async Task StopAsync()
    {
        if (Agreement is { } agreement) await agreement.StopAsync().ConfigureAwait(false);
        Thread? thread;
        lock (_gate)
        {
            if (_state is VmHostState.Created or VmHostState.Running) _state = VmHostState.Stopped;
            thread = _thread;
        }
        _source.HeightAdvanced -= NotifyNewHeight;
        if (!_stop.IsCancellationRequested) await _stop.CancelAsync().ConfigureAwait(false);
        _notifications.Writer.TryComplete();
        if (thread is not null) await _exited.Task.ConfigureAwait(false);
        FailWaiters(new InvalidOperationException($"VM host {VmId} stopped at height {_store.Height}"));
    }

    public void Dispose() => StopAsync().GetAwaiter().GetResult();

    public async ValueTask DisposeAsync() => await StopAsync().ConfigureAwait(false);

    private void Run()
    {
        Log.Started(_logger, VmId, _store.Height);
        try
        {
            while (!_stop.IsCancellationRequested && CatchUp())
                WaitForWake(_options.PollInterval);
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            // A bug in the host or a broken store: halt this VM rather than take the process down.
            Halt(_store.Height + 1, e);
        }
        finally
        {
            // Work queued after the last check runs here: nothing writes the store any more.
            lock (_gate)
            {
                _threadExited = true;
                while (_betweenBlocks.TryDequeue(out var item))
                {
                    if (_state == VmHostState.Stopped) item.Done.TrySetException(new InvalidOperationException($"VM host {VmId} is stopped"));
                    else RunWork(item.Work, item.Done);
                }
            }
            Log.Exited(_logger, VmId, _store.Height);
            _exited.TrySetResult();
        }
    }

    /// <summary>Applies every block the source has; false once the VM has halted.</summary>
    private bool CatchUp()
    {
        var token = _stop.Token;
        while (!token.IsCancellationRequested)
        {
            if (!RunBetweenBlocksWork()) return false;
            ulong height = _store.Height;
            IReadOnlyList<VmBlock> blocks;
            try
            {
                ulong sourceHeight = Await(_source.GetFinalizedHeightAsync(token));
                RaiseSourceHeight(sourceHeight);
                if (sourceHeight <= height) return true;
                ulong to = Math.Min(sourceHeight, height + (ulong)_options.MaxBlocksPerFetch);
                blocks = Await(_source.GetBlocksAsync(VmId, height + 1, to, token));
            }
            catch (Exception e) when (!token.IsCancellationRequested)
            {
                SourceFailed(e);
                return true;
            }
            if (blocks.Count == 0) return true;

            for (int i = 0; i < blocks.Count && !token.IsCancellationRequested; i++)
            {
                // Pending work (a rollback) may move the store's height: fetch again from wherever it left the store.
                if (!_betweenBlocks.IsEmpty) break;
                var block = blocks[i];
                if (block is null || block.Number != height + 1)
                {
                    SourceFailed(new InvalidDataException($"block source returned block {block?.Number.ToString() ?? "null"} where {height + 1} was expected"));
                    return true;
                }
                try
                {
                    _store.ApplyBlock(_vm, block, _options.SyncWrites);
                }
                catch (Exception e)
                {
                    Halt(block.Number, e);
                    return false;
                }
                height = block.Number;
                BlockApplied(height);
            }
        }
        return true;
    }

    private void BlockApplied(ulong height)
    {
        lock (_gate)
        {
            _blocksApplied++;
            for (int i = _waiters.Count - 1; i >= 0; i--)
            {
                if (_waiters[i].Height > height) continue;
                _waiters[i].Done.TrySetResult();
                _waiters.RemoveAt(i);
            }
        }
    }

    private void Halt(ulong blockNumber, Exception error)
    {
        lock (_gate)
        {
            _state = VmHostState.Halted;
            _errorCount++;
            _lastError = error.Message;
            _lastErrorBlock = blockNumber;
        }
        Log.Halted(_logger, error, VmId, blockNumber, error.Message);
        FailWaiters(HaltedError());
    }

    private void SourceFailed(Exception error)
    {
        lock (_gate)
        {
            _errorCount++;
            _lastError = "block source: " + error.Message;
            _lastErrorBlock = null;
        }
        Log.SourceFailed(_logger, VmId, error.Message);
        _stop.Token.WaitHandle.WaitOne(_options.SourceRetryDelay);
    }

    private void FailWaiters(Exception error)
    {
        lock (_gate)
        {
            foreach (var (_, done) in _waiters) done.TrySetException(error);
            _waiters.Clear();
        }
    }

    private InvalidOperationException HaltedError()
    {
        lock (_gate) return new InvalidOperationException($"VM {VmId} halted at block {_lastErrorBlock}: {_lastError}");
    }

    /// <summary>Sleeps until a notification, the poll interval, or stop. Keeps one pending wait so idle polling does not pile up waiters.</summary>
    private void WaitForWake(TimeSpan timeout)
    {
        var reader = _notifications.Reader;
        bool woken = false;
        while (reader.TryRead(out _)) woken = true;
        if (woken) return;
        var wake = _pendingWake ??= reader.WaitToReadAsync().AsTask();
        if (wake.Wait(timeout)) _pendingWake = null;
        while (reader.TryRead(out _)) { }
    }

    private void RaiseSourceHeight(ulong height)
    {
        ulong seen = Volatile.Read(ref _sourceHeight);
        while (height > seen)
        {
            ulong previous = Interlocked.CompareExchange(ref _sourceHeight, height, seen);
            if (previous == seen) return;
            seen = previous;
        }
    }

    // The host thread is ours and has no synchronization context, so blocking on a pending source call is safe.
    private static T Await<T>(ValueTask<T> pending) => pending.IsCompletedSuccessfully ? pending.Result : pending.AsTask().GetAwaiter().GetResult();

    private static partial class Log
    {
        [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "VM {VmId} host started at height {Height}")]
        public static partial void Started(ILogger logger, ulong vmId, ulong height);

        [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "VM {VmId} host exited at height {Height}")]
        public static partial void Exited(ILogger logger, ulong vmId, ulong height);

        [LoggerMessage(EventId = 3, Level = LogLevel.Error, Message = "VM {VmId} halted at block {Block}: {Reason}")]
        public static partial void Halted(ILogger logger, Exception error, ulong vmId, ulong block, string reason);

        [LoggerMessage(EventId = 4, Level = LogLevel.Warning, Message = "VM {VmId} block source failed, retrying: {Reason}")]
        public static partial void SourceFailed(ILogger logger, ulong vmId, string reason);
    }
}
