using System.Net;
using Pwr.Core;

namespace Pwr.Consensus.Network;

/// <summary>Settings of the TCP peer network, with defaults written next to each field.</summary>
public sealed class TcpNetworkOptions
{
    /// <summary>Where to accept connections; port 0 picks a free port (tests).</summary>
    public IPEndPoint Listen { get; init; } = new(IPAddress.Loopback, 26656);
    /// <summary>Peers to dial and keep dialling, as "host:port".</summary>
    public IReadOnlyList<string> PersistentPeers { get; init; } = [];
    /// <summary>Optional allow-list applied after the handshake proves the peer's address (e.g. validators only).</summary>
    public Func<Address, bool>? IsAllowedPeer { get; init; }

    public int MaxVoteBytes { get; init; } = 1024;
    /// <summary>Proposals carry a whole block, so the limit follows the largest block a proposer may build.</summary>
    public int MaxProposalBytes { get; init; } = 70 * 1024 * 1024;
    public int MaxBlockResponseBytes { get; init; } = 70 * 1024 * 1024;
    public int MaxTransactionBytes { get; init; } = 8 * 1024 * 1024;
    /// <summary>Status, StatusRequest and BlockRequest.</summary>
    public int MaxControlBytes { get; init; } = 256;

    public int MaxInboundPeers { get; init; } = 64;
    /// <summary>Frames waiting to be written to one peer; beyond this, new frames for that peer are dropped.</summary>
    public int SendQueueCapacity { get; init; } = 4096;
    /// <summary>Frames a peer may send per second before it is disconnected as flooding.</summary>
    public int MaxMessagesPerSecond { get; init; } = 5000;

    public TimeSpan HandshakeTimeout { get; init; } = TimeSpan.FromSeconds(5);
    public TimeSpan ReconnectInitialDelay { get; init; } = TimeSpan.FromMilliseconds(250);
    public TimeSpan ReconnectMaxDelay { get; init; } = TimeSpan.FromSeconds(10);
    /// <summary>How long a peer that misbehaved (garbage, oversized frame, flood, invalid data) is refused.</summary>
    public TimeSpan BanDuration { get; init; } = TimeSpan.FromSeconds(30);

    public TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>The payload limit of a kind, or -1 for a kind this protocol does not know.</summary>
    public int MaxPayloadBytes(MessageKind kind) => kind switch
    {
        MessageKind.Vote => MaxVoteBytes,
        MessageKind.Proposal => MaxProposalBytes,
        MessageKind.BlockResponse => MaxBlockResponseBytes,
        MessageKind.Transaction or MessageKind.RelayedTransaction => MaxTransactionBytes,
        MessageKind.StatusRequest or MessageKind.Status or MessageKind.BlockRequest => MaxControlBytes,
        _ => -1,
    };

    public void Validate()
    {
        ArgumentNullException.ThrowIfNull(Listen);
        foreach (var limit in new[] { MaxVoteBytes, MaxProposalBytes, MaxBlockResponseBytes, MaxTransactionBytes, MaxControlBytes })
            if (limit < 1) throw new ArgumentException("payload limits must be positive");
        if (MaxInboundPeers < 0) throw new ArgumentException("MaxInboundPeers must not be negative");
        if (SendQueueCapacity < 1) throw new ArgumentException("SendQueueCapacity must be positive");
        if (MaxMessagesPerSecond < 1) throw new ArgumentException("MaxMessagesPerSecond must be positive");
        if (HandshakeTimeout <= TimeSpan.Zero) throw new ArgumentException("HandshakeTimeout must be positive");
        if (ReconnectInitialDelay <= TimeSpan.Zero || ReconnectMaxDelay < ReconnectInitialDelay)
            throw new ArgumentException("reconnect delays must be positive with the cap at least the initial delay");
        foreach (var peer in PersistentPeers)
            if (!TryParseHostPort(peer, out _, out _)) throw new ArgumentException($"persistent peer '{peer}' is not host:port");
    }

    /// <summary>Splits "host:port" (IPv6 as "[::1]:port").</summary>
    public static bool TryParseHostPort(string text, out string host, out int port)
    {
        host = "";
        port = 0;
        int colon = text.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(text.AsSpan(colon + 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out port) || port is < 1 or > 65535)
            return false;
        host = text[..colon].Trim('[', ']');
        return host.Length > 0;
    }
}
