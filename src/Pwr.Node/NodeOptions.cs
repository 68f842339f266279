namespace Pwr.Node;

/// <summary>Where the node keeps data and serves its HTTP API.</summary>
public sealed class NodeOptions
{
    /// <summary>Data directory; the chain's RocksDB lives in its "chain" folder.</summary>
    public required string DataDir { get; init; }
    /// <summary>PWR HTTP API address (loopback by default: nothing is exposed unless asked).</summary>
    public string ApiHost { get; init; } = "127.0.0.1";
    public int ApiPort { get; init; } = 8085;
    /// <summary>Most transactions in one /broadcastBatch call.</summary>
    public int MaxBatchTransactions { get; init; } = 10_000;
    /// <summary>Most blocks one range query may span (/getVidaTransactions, /vmBlocks, /rootHashes).</summary>
    public int MaxBlockRange { get; init; } = 1000;
}
