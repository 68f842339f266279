using Pwr.Core;

namespace Pwr.Consensus.Sync;

/// <summary>Block sync settings, with defaults written next to each field.</summary>
public sealed class BlockSyncOptions
{
    /// <summary>How often peers are asked for their height.</summary>
    public TimeSpan StatusInterval { get; init; } = TimeSpan.FromMilliseconds(500);
    /// <summary>Being one block behind is normal while consensus commits; only this long means we missed a commit.</summary>
    public TimeSpan OneBehindGrace { get; init; } = TimeSpan.FromSeconds(2);
    /// <summary>Blocks asked for in one request (u16 on the wire).</summary>
    public int BlocksPerRequest { get; init; } = 64;
    /// <summary>How far past our head requests may reach; bounds the blocks buffered while waiting for the next one.</summary>
    public int MaxBlocksAhead { get; init; } = 512;
    /// <summary>A server stops answering one request after this many bytes (always at least one block).</summary>
    public int ResponseByteBudget { get; init; } = 16 * 1024 * 1024;
    /// <summary>The most blocks a server sends for one request, whatever the request asks.</summary>
    public int MaxBlocksPerResponse { get; init; } = 256;
    /// <summary>How long a delivered block may take to show up as the app's head.</summary>
    public TimeSpan DeliverTimeout { get; init; } = TimeSpan.FromSeconds(30);
    /// <summary>When the next block has not arrived this long after a request, the window is asked for again.</summary>
    public TimeSpan StallTimeout { get; init; } = TimeSpan.FromSeconds(2);
    /// <summary>How long a peer that did not deliver a block it was asked for has its reported height ignored.</summary>
    public TimeSpan StallPenalty { get; init; } = TimeSpan.FromSeconds(10);
    /// <summary>Bytes of fetched blocks held while waiting for the one before them.</summary>
    public long MaxBufferedBytes { get; init; } = 512L * 1024 * 1024;
    /// <summary>Largest transaction accepted inside a synced block.</summary>
    public int MaxTransactionBytes { get; init; } = TransactionCodec.AbsoluteMaxSize;
    public TimeProvider Time { get; init; } = TimeProvider.System;

    public void Validate()
    {
        if (StatusInterval <= TimeSpan.Zero || OneBehindGrace < TimeSpan.Zero || DeliverTimeout <= TimeSpan.Zero || StallTimeout <= TimeSpan.Zero)
            throw new ArgumentException("block sync intervals must be positive");
        if (BlocksPerRequest is < 1 or > ushort.MaxValue) throw new ArgumentException("BlocksPerRequest must be within 1..65535");
        if (MaxBlocksAhead < BlocksPerRequest) throw new ArgumentException("MaxBlocksAhead must be at least BlocksPerRequest");
        if (ResponseByteBudget < 1 || MaxBlocksPerResponse < 1) throw new ArgumentException("response limits must be positive");
        if (StallPenalty < TimeSpan.Zero || MaxBufferedBytes < 1) throw new ArgumentException("StallPenalty and MaxBufferedBytes must not be negative");
        if (MaxTransactionBytes < 1) throw new ArgumentException("MaxTransactionBytes must be positive");
    }
}
