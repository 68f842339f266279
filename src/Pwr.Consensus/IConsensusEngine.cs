namespace Pwr.Consensus;

/// <summary>Where consensus stands, for metrics and the API.</summary>
public readonly record struct ConsensusStatus(ulong Height, uint Round, string Step, bool IsValidator);

/// <summary>A consensus engine driving an <see cref="Pwr.Chain.IChainApplication"/>: one validator or a BFT network.</summary>
public interface IConsensusEngine
{
    /// <summary>Runs until cancelled; faults only on an unrecoverable error.</summary>
    Task RunAsync(CancellationToken ct);

    ConsensusStatus Status { get; }
}
