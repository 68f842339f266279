namespace Pwr.Consensus;

/// <summary>Block production settings.</summary>
public sealed class ConsensusOptions
{
    /// <summary>Target time between blocks; blocks are produced even when empty (devnet default 1 s).</summary>
    public TimeSpan BlockInterval { get; init; } = TimeSpan.FromSeconds(1);

    public void Validate()
    {
        if (BlockInterval < TimeSpan.FromMilliseconds(10) || BlockInterval > TimeSpan.FromMinutes(10))
            throw new ArgumentException($"block interval {BlockInterval.TotalMilliseconds} ms is outside 10 ms .. 10 min");
    }
}
