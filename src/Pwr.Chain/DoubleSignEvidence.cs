using System.Diagnostics.CodeAnalysis;
using Pwr.Core;

namespace Pwr.Chain;

/// <summary>
/// Checks a DoubleSignEvidence transaction: two votes of one validator for the same height, round and step that
/// name different blocks, both signed under this chain id by a member of that height's validator set that has not
/// been slashed yet, no older than the unbonding period. Admission and block execution use the same rules, so invalid
/// evidence never changes state.
/// </summary>
public static class DoubleSignEvidence
{
    /// <param name="maxHeight">The highest height whose validator set is known (the height being executed or proposed).</param>
    /// <param name="setAt">The validator set that signed a height.</param>
    /// <param name="getStake">The validator's staking record as of now (overlay or committed).</param>
    /// <param name="maxAgeBlocks">
    /// How far behind <paramref name="maxHeight"/> an offence may lie: the unbonding period, as in Cosmos. Older, the
    /// stake that was at risk when the votes were signed may have been released, and only later stake is left.
    /// </param>
    public static bool Verify(Transaction tx, byte chainId, ulong maxHeight, ulong maxAgeBlocks, Func<ulong, ValidatorSet> setAt,
        Func<Address, ValidatorStake?> getStake, [NotNullWhen(true)] out SignedVote? offence, out string error)
    {
        offence = null;
        if (!SignedVote.TryDecode(tx.VoteA.Span, out var a)) { error = "vote A is not a well-formed signed vote"; return false; }
        if (!SignedVote.TryDecode(tx.VoteB.Span, out var b)) { error = "vote B is not a well-formed signed vote"; return false; }
        if (a.Validator != b.Validator) { error = $"the votes are from different validators ({a.Validator}, {b.Validator})"; return false; }
        if (a.Height != b.Height) { error = $"the votes are for different heights ({a.Height}, {b.Height})"; return false; }
        if (a.Round != b.Round) { error = $"the votes are for different rounds ({a.Round}, {b.Round})"; return false; }
        if (a.Type != b.Type) { error = $"the votes are of different types ({a.Type}, {b.Type})"; return false; }
        if (a.BlockHash == b.BlockHash) { error = $"both votes are for the same block {a.BlockHash}: no double sign"; return false; }
        if (a.Height == 0 || a.Height > maxHeight) { error = $"height {a.Height} has no validator set yet (the latest is {maxHeight})"; return false; }
        if (maxHeight - a.Height > maxAgeBlocks) { error = $"the votes at height {a.Height} are older than the {maxAgeBlocks}-block evidence window (the unbonding period) before height {maxHeight}"; return false; }
        if (setAt(a.Height).Find(a.Validator) is not { } member) { error = $"{a.Validator} was not a validator at height {a.Height}"; return false; }
        if (!a.VerifySignature(member.PublicKey, chainId)) { error = "vote A's signature does not verify with the validator's key on this chain"; return false; }
        if (!b.VerifySignature(member.PublicKey, chainId)) { error = "vote B's signature does not verify with the validator's key on this chain"; return false; }
        if (getStake(a.Validator) is not { } stake) { error = $"{a.Validator} has no staking record"; return false; }
        if (stake.Tombstoned) { error = $"{a.Validator} is already slashed and tombstoned"; return false; }
        offence = a;
        error = "";
        return true;
    }
}
