using Microsoft.Extensions.Logging;
using Pwr.Chain;
using Pwr.Core;

namespace Pwr.Consensus;

/// <summary>
/// Consensus for a one-validator network. It runs the same steps a BFT round does (propose, process the
/// proposal, precommit, commit with the validator set's signatures) so that multi-validator consensus adds
/// voting rounds and networking, not a new block format. With one validator, round 0 always decides.
/// </summary>
public sealed partial class SingleValidatorEngine(
    IChainApplication app, FalconKeyPair validatorKey, ConsensusOptions options, TimeProvider time, ILogger<SingleValidatorEngine> logger) : IConsensusEngine
{
    public ulong Height => app.LastHeader.Number;

    public ConsensusStatus Status => new(app.LastHeader.Number + 1, 0, "propose", true);

    public async Task RunAsync(CancellationToken ct)
    {
        options.Validate();
        if (app.Validators.Find(validatorKey.Address) is null)
            throw new InvalidOperationException($"the key {validatorKey.Address} is not in the validator set");
        if (!app.Validators.IsQuorum(app.Validators.Find(validatorKey.Address)!.Power))
            throw new InvalidOperationException("a single validator needs more than 2/3 of the voting power; start the BFT network instead");
        while (!ct.IsCancellationRequested)
        {
            var last = app.LastHeader;
            var nowMs = (ulong)time.GetUtcNow().ToUnixTimeMilliseconds();
            var dueMs = last.TimestampMs + (ulong)options.BlockInterval.TotalMilliseconds;
            if (last.Number > 0 && dueMs > nowMs)
            {
                try { await Task.Delay(TimeSpan.FromMilliseconds(dueMs - nowMs), time, ct); }
                catch (OperationCanceledException) { return; }
            }
            ProduceBlock();
        }
    }

    /// <summary>One height: propose, validate, precommit and finalize.</summary>
    public Block ProduceBlock()
    {
        var height = app.LastHeader.Number + 1;
        var started = time.GetTimestamp();
        var timestamp = (ulong)time.GetUtcNow().ToUnixTimeMilliseconds();
        var proposal = app.PrepareProposal(height, timestamp, validatorKey.Address);
        if (!app.ProcessProposal(proposal, out var error))
            throw new InvalidOperationException($"own proposal for {height} is invalid: {error}");
        var precommit = Commit.SignPrecommit(validatorKey, app.ChainId, height, 0, proposal.Hash);
        var block = new Block
        {
            Header = proposal.Header,
            Transactions = proposal.Transactions,
            Results = proposal.Results,
            Commit = new Commit(height, 0, proposal.Hash, [precommit]),
        };
        app.FinalizeBlock(block);
        app.Commit();
        LogBlock(logger, height, block.Transactions.Count, block.Hash, time.GetElapsedTime(started).TotalMilliseconds);
        return block;
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Finalized block {Height} with {Count} txs, hash {Hash}, in {Ms:F1} ms")]
    private static partial void LogBlock(ILogger logger, ulong height, int count, Hash32 hash, double ms);
}
