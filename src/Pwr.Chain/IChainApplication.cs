using Pwr.Core;

namespace Pwr.Chain;

/// <summary>
/// The narrow interface through which a consensus engine drives the ledger, shaped like CometBFT's ABCI:
/// check a transaction, prepare and process a proposal, finalize and commit a block. The single-validator
/// devnet and a BFT network drive the same interface; the ledger never knows which engine runs it.
/// </summary>
public interface IChainApplication
{
    byte ChainId { get; }
    /// <summary>The latest committed header (block 0 is genesis).</summary>
    BlockHeader LastHeader { get; }
    /// <summary>The validator set of the next height (LastHeader.Number + 1).</summary>
    ValidatorSet Validators { get; }

    /// <summary>The validator set that signs block <paramref name="height"/>'s commit (sets change only between heights).</summary>
    ValidatorSet GetValidators(ulong height);

    /// <summary>A finalized block with its transactions, results and commit, or null past the head.</summary>
    Block? GetBlock(ulong number);

    /// <summary>Admission: decode, check and, if valid, add to the mempool.</summary>
    AdmissionResult CheckTx(byte[] raw);

    /// <summary>The proposer builds the next block from its mempool and executes it to get the state root.</summary>
    Block PrepareProposal(ulong height, ulong timestampMs, Address proposer);

    /// <summary>A validator checks someone's proposal by re-executing it; false with a reason if invalid.</summary>
    bool ProcessProposal(Block proposal, out string error);

    /// <summary>Executes a block that holds a valid commit (reusing ProcessProposal's execution of the same block) and
    /// returns it with its transaction results. Nothing is persisted until <see cref="Commit"/>.</summary>
    Block FinalizeBlock(Block block);

    /// <summary>Persists the block of the last <see cref="FinalizeBlock"/>, with its state, atomically; then updates the
    /// mempool (drops included and stale transactions, and evicts expired ones when a sweep is due).</summary>
    void Commit();
}
