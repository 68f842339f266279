using System.Diagnostics.CodeAnalysis;
using Pwr.Core;

namespace Pwr.Chain;

/// <summary>The two vote steps of a Tendermint round.</summary>
public enum VoteType : byte
{
    Prevote = 1,
    Precommit = 2,
}

/// <summary>
/// A validator's signed prevote or precommit. <see cref="Hash32.Zero"/> as the block hash is a vote for nil.
/// Lives in the chain layer because the ledger checks votes too: commits are precommits, and double-sign
/// evidence is two conflicting votes.
/// </summary>
public sealed record SignedVote(VoteType Type, ulong Height, uint Round, Hash32 BlockHash, Address Validator, byte[] Signature)
{
    /// <summary>Encoded size without the signature: type, height, round, hash, validator, u16 signature length.</summary>
    public const int FixedSize = 1 + 8 + 4 + Hash32.Size + Address.Size + 2;

    public bool IsNil => BlockHash == Hash32.Zero;

    /// <summary>What a validator signs: Keccak-256 of (type ‖ chain id ‖ height ‖ round ‖ block hash).</summary>
    public static byte[] SignBytes(VoteType type, byte chainId, ulong height, uint round, Hash32 blockHash)
    {
        Span<byte> bytes = stackalloc byte[1 + 1 + 8 + 4 + Hash32.Size];
        var w = new BigEndianWriter(bytes);
        w.WriteU8((byte)type);
        w.WriteU8(chainId);
        w.WriteU64(height);
        w.WriteU32(round);
        w.WriteHash(blockHash);
        return Keccak.Hash256(bytes).ToArray();
    }

    public static SignedVote Sign(FalconKeyPair key, byte chainId, VoteType type, ulong height, uint round, Hash32 blockHash)
        => new(type, height, round, blockHash, key.Address, key.Sign(SignBytes(type, chainId, height, round, blockHash)));

    public bool VerifySignature(byte[] publicKey, byte chainId)
        => Address.FromPublicKey(publicKey) == Validator
           && Falcon512.Verify(publicKey, SignBytes(Type, chainId, Height, Round, BlockHash), Signature);

    public int EncodedSize => FixedSize + Signature.Length;

    public byte[] Encode()
    {
        var bytes = new byte[EncodedSize];
        var w = new BigEndianWriter(bytes);
        w.WriteU8((byte)Type);
        w.WriteU64(Height);
        w.WriteU32(Round);
        w.WriteHash(BlockHash);
        w.WriteAddress(Validator);
        w.WriteU16((ushort)Signature.Length);
        w.WriteBytes(Signature);
        return bytes;
    }

    /// <summary>Decodes exactly one vote; false on truncation, an unknown type, an oversized signature or trailing bytes.</summary>
    public static bool TryDecode(ReadOnlySpan<byte> bytes, [NotNullWhen(true)] out SignedVote? vote)
    {
        vote = null;
        var r = new BigEndianReader(bytes);
        if (!r.TryReadU8(out var type) || type is not ((byte)VoteType.Prevote or (byte)VoteType.Precommit)) return false;
        if (!r.TryReadU64(out var height) || !r.TryReadU32(out var round) || !r.TryReadHash(out var hash)
            || !r.TryReadAddress(out var validator) || !r.TryReadU16(out var len)) return false;
        if (len > Falcon512.MaxSignatureSize || !r.TryReadBytes(len, out var sig) || r.Remaining != 0) return false;
        vote = new SignedVote((VoteType)type, height, round, hash, validator, sig.ToArray());
        return true;
    }
}
