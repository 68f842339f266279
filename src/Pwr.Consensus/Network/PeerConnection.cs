using System.Buffers.Binary;
using System.Net.Sockets;
using System.Threading.Channels;

namespace Pwr.Consensus.Network;

/// <summary>
/// One authenticated connection: a reader task that parses frames (u8 kind ‖ u32 length ‖ payload) and a writer
/// task that drains a bounded queue. Closing is idempotent; <see cref="Closed"/> completes when both tasks ended.
/// </summary>
internal sealed class PeerConnection
{
    private const int HeaderSize = 5;
    private readonly TcpClient _client;
    private readonly NetworkStream _stream;
    private readonly Channel<(MessageKind Kind, ReadOnlyMemory<byte> Payload)> _queue;
    private readonly CancellationTokenSource _cts = new();
    private readonly TaskCompletionSource _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _closing;
    private long _windowStart;
    private int _windowCount;

    public PeerConnection(TcpClient client, PeerId id, bool outbound, int queueCapacity)
    {
        _client = client;
        _stream = client.GetStream();
        Id = id;
        Outbound = outbound;
        _queue = Channel.CreateBounded<(MessageKind, ReadOnlyMemory<byte>)>(
            new BoundedChannelOptions(queueCapacity) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
    }

    public PeerId Id { get; }
    /// <summary>True when this node dialled the connection.</summary>
    public bool Outbound { get; }
    public string? CloseReason { get; private set; }
    /// <summary>Set when the network swapped this connection for a newer one to the same peer (no PeerChanged then).</summary>
    public bool Replaced { get; set; }
    /// <summary>True when the peer broke the protocol (garbage, oversized frame, unknown kind, flood, invalid data).</summary>
    public bool Misbehaved { get; private set; }
    public Task Closed => _closed.Task;

    /// <summary>Queues a frame; false (the frame is dropped) when the queue is full or the connection is closing.</summary>
    public bool TryEnqueue(MessageKind kind, ReadOnlyMemory<byte> payload) => _closing == 0 && _queue.Writer.TryWrite((kind, payload));

    public void Start(TcpNetworkOptions options, Action<PeerConnection, MessageKind, ReadOnlyMemory<byte>> onFrame, Action<PeerConnection> onClosed)
    {
        var reader = Task.Run(() => ReadLoopAsync(options, onFrame));
        var writer = Task.Run(WriteLoopAsync);
        _ = Task.WhenAll(reader, writer).ContinueWith(_ =>
        {
            Close("connection ended");
            onClosed(this);
            _closed.TrySetResult();
        }, TaskScheduler.Default);
    }

    public void Close(string reason, bool misbehaved = false)
    {
        if (Interlocked.Exchange(ref _closing, 1) != 0) return;
        CloseReason = reason;
        Misbehaved = misbehaved;
        _queue.Writer.TryComplete();
        _cts.Cancel();
        try { _client.Client.Shutdown(SocketShutdown.Both); } catch (SocketException) { } catch (ObjectDisposedException) { }
        _client.Dispose();
    }

    private async Task ReadLoopAsync(TcpNetworkOptions options, Action<PeerConnection, MessageKind, ReadOnlyMemory<byte>> onFrame)
    {
        var ct = _cts.Token;
        var input = new BufferedStream(_stream, 64 * 1024);
        var header = new byte[HeaderSize];
        try
        {
            while (!ct.IsCancellationRequested)
            {
                await input.ReadExactlyAsync(header, ct).ConfigureAwait(false);
                var kind = (MessageKind)header[0];
                uint length = BinaryPrimitives.ReadUInt32BigEndian(header.AsSpan(1));
                int limit = options.MaxPayloadBytes(kind);
                if (limit < 0) { Close($"unknown message kind {header[0]}", misbehaved: true); break; }
                if (length > (uint)limit) { Close($"{kind} frame of {length} bytes exceeds the limit of {limit}", misbehaved: true); break; }
                if (IsFlooding(options)) { Close($"flood: more than {options.MaxMessagesPerSecond} messages per second", misbehaved: true); break; }
                var payload = length == 0 ? [] : new byte[length];
                await input.ReadExactlyAsync(payload, ct).ConfigureAwait(false);
                onFrame(this, kind, payload);
            }
        }
        catch (OperationCanceledException) { }
        catch (EndOfStreamException) { Close("peer closed the connection"); }
        catch (IOException e) { Close("read failed: " + e.Message); }
        catch (ObjectDisposedException) { Close("connection disposed"); }
    }

    private bool IsFlooding(TcpNetworkOptions options)
    {
        long now = options.Time.GetTimestamp();
        if (options.Time.GetElapsedTime(_windowStart, now) >= TimeSpan.FromSeconds(1))
        {
            _windowStart = now;
            _windowCount = 0;
        }
        return ++_windowCount > options.MaxMessagesPerSecond;
    }

    private async Task WriteLoopAsync()
    {
        var ct = _cts.Token;
        var output = new BufferedStream(_stream, 64 * 1024);
        var header = new byte[HeaderSize];
        var reader = _queue.Reader;
        try
        {
            while (await reader.WaitToReadAsync(ct).ConfigureAwait(false))
            {
                while (reader.TryRead(out var frame))
                {
                    header[0] = (byte)frame.Kind;
                    BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(1), (uint)frame.Payload.Length);
                    await output.WriteAsync(header, ct).ConfigureAwait(false);
                    await output.WriteAsync(frame.Payload, ct).ConfigureAwait(false);
                }
                // Flush only when the queue is drained: bursts go out in few syscalls.
                await output.FlushAsync(ct).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) { }
        catch (IOException e) { Close("write failed: " + e.Message); }
        catch (ObjectDisposedException) { Close("connection disposed"); }
    }

    public override string ToString() => $"{Id} ({(Outbound ? "outbound" : "inbound")})";
}
