namespace Pwr.Consensus.Network;

/// <summary>What a network message carries; the network enforces a size limit per kind and treats payloads as opaque.</summary>
public enum MessageKind : byte
{
    /// <summary>A signed proposal with its block (Tendermint's PROPOSAL).</summary>
    Proposal = 1,
    /// <summary>A signed prevote or precommit (<see cref="Pwr.Chain.SignedVote"/> encoding).</summary>
    Vote = 2,
    /// <summary>Signed base-layer transactions from the node where they were submitted, gossiped so that they reach the proposer.</summary>
    Transaction = 3,
    /// <summary>Asks a peer for its <see cref="Status"/>.</summary>
    StatusRequest = 4,
    /// <summary>A peer's latest finalized height and hash.</summary>
    Status = 5,
    /// <summary>Asks for finalized blocks starting at a height.</summary>
    BlockRequest = 6,
    /// <summary>A finalized block with its commit.</summary>
    BlockResponse = 7,
    /// <summary>Transactions a node received as <see cref="Transaction"/> and passes on once, to its other peers.</summary>
    RelayedTransaction = 8,
}

/// <summary>A connected peer: its node address, proven by the signed handshake.</summary>
public readonly record struct PeerId(Pwr.Core.Address Address)
{
    public override string ToString() => Address.ToString();
}

/// <summary>A message received from an authenticated peer.</summary>
public delegate void MessageHandler(PeerId from, MessageKind kind, ReadOnlyMemory<byte> payload);

/// <summary>
/// Authenticated peer-to-peer messaging between nodes. Consensus, block sync and transaction gossip use this
/// and nothing below it, so tests can run them over an in-memory network.
/// </summary>
public interface IPeerNetwork
{
    /// <summary>Raised on a network thread for each message; handlers must be quick and must not throw.</summary>
    event MessageHandler? MessageReceived;

    /// <summary>Raised when a peer finishes its handshake (true) or disconnects (false).</summary>
    event Action<PeerId, bool>? PeerChanged;

    IReadOnlyCollection<PeerId> Peers { get; }

    /// <summary>Sends to every connected peer; never blocks (a slow peer's queue drops or disconnects).</summary>
    void Broadcast(MessageKind kind, ReadOnlyMemory<byte> payload);

    /// <summary>Sends to one peer if connected; false if it is not.</summary>
    bool Send(PeerId peer, MessageKind kind, ReadOnlyMemory<byte> payload);

    /// <summary>Drops a peer that sent something invalid (a bad signature, a vote from a non-validator).</summary>
    void Disconnect(PeerId peer, string reason);
}
