namespace Pwr.Consensus.Tendermint;

/// <summary>The steps of a Tendermint round, in order; Commit means the height is decided.</summary>
public enum ConsensusStep : byte
{
    Propose = 0,
    Prevote = 1,
    Precommit = 2,
    Commit = 3,
}
