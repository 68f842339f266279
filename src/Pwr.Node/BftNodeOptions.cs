using Pwr.Consensus;
using Pwr.Consensus.Network;
using Pwr.Consensus.Sync;
using Pwr.Core;

namespace Pwr.Node;

/// <summary>How a configured node joins a BFT network: its keys, transport, engine and block-sync settings.</summary>
public sealed class BftNodeOptions
{
    /// <summary>The validator's signing key; null runs a full node that follows and serves the chain without voting.</summary>
    public FalconKeyPair? ValidatorKey { get; init; }
    /// <summary>Authenticates this node to its peers (separate from the validator key, as in CometBFT).</summary>
    public required FalconKeyPair NodeKey { get; init; }
    public required TcpNetworkOptions Network { get; init; }
    public required BftOptions Bft { get; init; }
    public BlockSyncOptions Sync { get; init; } = new();
}
