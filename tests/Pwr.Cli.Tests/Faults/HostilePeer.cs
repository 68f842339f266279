using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using Pwr.Consensus.Network;
using Pwr.Core;

namespace Pwr.Cli.Tests.Faults;

/// <summary>
/// A raw TCP client of a node's p2p port, speaking the wire protocol by hand (handshake, frames u8 kind ‖ u32 length ‖
/// payload) so that tests can send what no honest node would and watch whether the node hangs up.
/// </summary>
internal sealed class HostilePeer : IDisposable
{
    private readonly TcpClient _client;
    private readonly NetworkStream _stream;

    private HostilePeer(TcpClient client)
    {
        _client = client;
        _stream = client.GetStream();
    }

    public static async Task<HostilePeer> ConnectAsync(int port)
    {
        var client = new TcpClient { NoDelay = true };
        await client.ConnectAsync(IPAddress.Loopback, port);
        return new HostilePeer(client);
    }

    /// <summary>Runs the node's own handshake code from the client side with <paramref name="key"/>; returns the node's proven address.</summary>
    public async Task<Address> HandshakeAsync(FalconKeyPair key, byte chainId, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        return await PeerHandshake.RunAsync(_stream, key, chainId, cts.Token);
    }

    /// <summary>Writes bytes; false when the node already broke the connection while they were written.</summary>
    public async Task<bool> SendRawAsync(ReadOnlyMemory<byte> bytes)
    {
        try
        {
            await _stream.WriteAsync(bytes);
            await _stream.FlushAsync();
            return true;
        }
        catch (IOException) { return false; }
    }

    public static byte[] Frame(byte kind, ReadOnlySpan<byte> payload, uint? claimedLength = null)
    {
        var frame = new byte[5 + payload.Length];
        frame[0] = kind;
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(1), claimedLength ?? (uint)payload.Length);
        payload.CopyTo(frame.AsSpan(5));
        return frame;
    }

    public Task<bool> SendFrameAsync(MessageKind kind, ReadOnlySpan<byte> payload) => SendRawAsync(Frame((byte)kind, payload));

    /// <summary>Reads frames until one of <paramref name="kind"/> arrives; null if the connection ends or the time runs out first.</summary>
    public async Task<byte[]?> ReadFrameOfKindAsync(MessageKind kind, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        var header = new byte[5];
        try
        {
            while (true)
            {
                await _stream.ReadExactlyAsync(header, cts.Token);
                var payload = new byte[BinaryPrimitives.ReadUInt32BigEndian(header.AsSpan(1))];
                await _stream.ReadExactlyAsync(payload, cts.Token);
                if (header[0] == (byte)kind) return payload;
            }
        }
        catch (Exception e) when (e is EndOfStreamException or IOException or OperationCanceledException) { return null; }
    }

    /// <summary>
    /// Reads (and discards) whatever the node sends until it closes the connection: true when the read returns 0 or the
    /// connection is reset, false when it is still open after <paramref name="timeout"/>.
    /// </summary>
    public async Task<bool> ClosedByNodeWithinAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        var buffer = new byte[64 * 1024];
        try
        {
            while (true)
            {
                if (await _stream.ReadAsync(buffer, cts.Token) == 0) return true;
            }
        }
        catch (OperationCanceledException) { return false; }
        catch (IOException) { return true; }
        catch (SocketException) { return true; }
    }

    public void Dispose() => _client.Dispose();
}
