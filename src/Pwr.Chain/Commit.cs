using System.Diagnostics.CodeAnalysis;
using Pwr.Core;

namespace Pwr.Chain;

/// <summary>One validator's precommit signature in a commit.</summary>
public sealed record CommitSignature(Address Validator, byte[] Signature);

/// <summary>
/// The precommit signatures of more than 2/3 of the voting power for a block: what makes it final.
/// The single-validator devnet and the BFT network produce the same structure.
/// </summary>
public sealed record Commit(ulong Height, uint Round, Hash32 BlockHash, IReadOnlyList<CommitSignature> Signatures)
{
    /// <summary>The bytes a validator signs for a precommit (see <see cref="SignedVote.SignBytes"/>).</summary>
    public static byte[] PrecommitSignBytes(byte chainId, ulong height, uint round, Hash32 blockHash)
        => SignedVote.SignBytes(VoteType.Precommit, chainId, height, round, blockHash);

    public static CommitSignature SignPrecommit(FalconKeyPair key, byte chainId, ulong height, uint round, Hash32 blockHash)
        => new(key.Address, key.Sign(PrecommitSignBytes(chainId, height, round, blockHash)));

    /// <summary>Checks that signatures of distinct validators holding a 2/3+ quorum sign this block.</summary>
    public bool Verify(ValidatorSet validators, byte chainId, Hash32 blockHash, ulong height, out string error)
    {
        if (Height != height || BlockHash != blockHash)
        {
            error = $"commit is for block {Height} {BlockHash}, not {height} {blockHash}";
            return false;
        }
        var message = PrecommitSignBytes(chainId, Height, Round, BlockHash);
        var seen = new HashSet<Address>();
        ulong power = 0;
        foreach (var s in Signatures)
        {
            var v = validators.Find(s.Validator);
            if (v is null) { error = $"{s.Validator} is not a validator at height {height}"; return false; }
            if (!seen.Add(s.Validator)) { error = $"{s.Validator} signed twice"; return false; }
            if (!Falcon512.Verify(v.PublicKey, message, s.Signature)) { error = $"bad precommit signature from {s.Validator}"; return false; }
            power += v.Power;
        }
        if (!validators.IsQuorum(power))
        {
            error = $"commit holds {power} of {validators.TotalPower} voting power; more than 2/3 is needed";
            return false;
        }
        error = "";
        return true;
    }

    public byte[] Encode()
    {
        int size = 8 + 4 + 32 + 2 + Signatures.Sum(s => Address.Size + 2 + s.Signature.Length);
        var bytes = new byte[size];
        var w = new BigEndianWriter(bytes);
        w.WriteU64(Height);
        w.WriteU32(Round);
        w.WriteHash(BlockHash);
        w.WriteU16((ushort)Signatures.Count);
        foreach (var s in Signatures)
        {
            w.WriteAddress(s.Validator);
            w.WriteU16((ushort)s.Signature.Length);
            w.WriteBytes(s.Signature);
        }
        return bytes;
    }

    public static bool TryDecode(ReadOnlySpan<byte> bytes, [NotNullWhen(true)] out Commit? commit)
    {
        commit = null;
        var r = new BigEndianReader(bytes);
        if (!r.TryReadU64(out var height) || !r.TryReadU32(out var round) || !r.TryReadHash(out var hash) || !r.TryReadU16(out var count)) return false;
        var sigs = new List<CommitSignature>(count);
        for (int i = 0; i < count; i++)
        {
            if (!r.TryReadAddress(out var a) || !r.TryReadU16(out var len) || !r.TryReadBytes(len, out var sig)) return false;
            sigs.Add(new CommitSignature(a, sig.ToArray()));
        }
        if (r.Remaining != 0) return false;
        commit = new Commit(height, round, hash, sigs);
        return true;
    }
}
