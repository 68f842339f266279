using System.Diagnostics.CodeAnalysis;
using Pwr.Chain;
using Pwr.Core;

namespace Pwr.Consensus.Tendermint;

/// <summary>
/// Tendermint's PROPOSAL: a block for (height, round) with the round of its proof of lock (−1 for none),
/// signed by the round's proposer. Wire: u64 height ‖ u32 round ‖ i32 polRound ‖ proposer ‖ u16 sig len ‖ sig ‖
/// u32 block len ‖ block (<see cref="BlockCodec"/>).
/// </summary>
public sealed record Proposal(ulong Height, uint Round, int PolRound, Block Block, Address Proposer, byte[] Signature)
{
    /// <summary>Domain byte that keeps proposal signatures apart from vote signatures (whose first byte is 1 or 2).</summary>
    public const byte SignDomain = 0;

    private const int FixedSize = 8 + 4 + 4 + Address.Size + 2 + 4;

    /// <summary>What the proposer signs: Keccak-256(0 ‖ chain id ‖ height ‖ round ‖ polRound ‖ block hash).</summary>
    public static byte[] SignBytes(byte chainId, ulong height, uint round, int polRound, Hash32 blockHash)
    {
        Span<byte> bytes = stackalloc byte[1 + 1 + 8 + 4 + 4 + Hash32.Size];
        var w = new BigEndianWriter(bytes);
        w.WriteU8(SignDomain);
        w.WriteU8(chainId);
        w.WriteU64(height);
        w.WriteU32(round);
        w.WriteU32(unchecked((uint)polRound));
        w.WriteHash(blockHash);
        return Keccak.Hash256(bytes).ToArray();
    }

    public static Proposal Sign(FalconKeyPair key, byte chainId, ulong height, uint round, int polRound, Block block)
    {
        if (polRound < -1) throw new ArgumentOutOfRangeException(nameof(polRound), "polRound is −1 or a round");
        return new(height, round, polRound, block, key.Address, key.Sign(SignBytes(chainId, height, round, polRound, block.Hash)));
    }

    public Hash32 BlockHash => Block.Hash;

    public bool VerifySignature(byte[] publicKey, byte chainId)
        => Address.FromPublicKey(publicKey) == Proposer
           && Falcon512.Verify(publicKey, SignBytes(chainId, Height, Round, PolRound, Block.Hash), Signature);

    // A proposal is encoded for the WAL, for the broadcast and for every re-send: at a few MB per full block, once is enough.
    private byte[]? _encoded;

    /// <summary>The wire bytes (computed once; the caller must not modify them).</summary>
    public byte[] Encode() => _encoded ??= EncodeNow();

    /// <summary>
    /// Identifies a signed proposal from its first bytes without decoding the block: (height, round, proposer, hash of
    /// the signature). Falcon signatures are randomized, so two different blocks signed for one round have different keys.
    /// </summary>
    public static bool TryPeekKey(ReadOnlySpan<byte> bytes, out ProposalKey key)
    {
        key = default;
        var r = new BigEndianReader(bytes);
        if (!r.TryReadU64(out var height) || !r.TryReadU32(out var round) || !r.TryReadU32(out _)
            || !r.TryReadAddress(out var proposer) || !r.TryReadU16(out var sigLen) || sigLen > Falcon512.MaxSignatureSize
            || !r.TryReadBytes(sigLen, out var sig)) return false;
        key = new ProposalKey(height, round, proposer, Keccak.Hash256(sig));
        return true;
    }

    /// <summary>The key <see cref="TryPeekKey"/> reads from this proposal's encoding.</summary>
    public ProposalKey Key => new(Height, Round, Proposer, Keccak.Hash256(Signature));

    private byte[] EncodeNow()
    {
        var block = BlockCodec.Encode(Block);
        var bytes = new byte[FixedSize + Signature.Length + block.Length];
        var w = new BigEndianWriter(bytes);
        w.WriteU64(Height);
        w.WriteU32(Round);
        w.WriteU32(unchecked((uint)PolRound));
        w.WriteAddress(Proposer);
        w.WriteU16((ushort)Signature.Length);
        w.WriteBytes(Signature);
        w.WriteU32((uint)block.Length);
        w.WriteBytes(block);
        return bytes;
    }

    /// <summary>Decodes exactly one proposal within the size limits; false with a reason otherwise.</summary>
    public static bool TryDecode(ReadOnlySpan<byte> bytes, int maxBytes, int maxTransactionBytes, [NotNullWhen(true)] out Proposal? proposal, out string error)
    {
        proposal = null;
        if (bytes.Length > maxBytes) { error = $"proposal of {bytes.Length} bytes exceeds {maxBytes}"; return false; }
        var r = new BigEndianReader(bytes);
        if (!r.TryReadU64(out var height) || !r.TryReadU32(out var round) || !r.TryReadU32(out var pol)
            || !r.TryReadAddress(out var proposer) || !r.TryReadU16(out var sigLen)) { error = "truncated proposal"; return false; }
        int polRound = unchecked((int)pol);
        if (polRound < -1 || (polRound >= 0 && (uint)polRound >= round)) { error = $"polRound {polRound} is not −1 or below round {round}"; return false; }
        if (sigLen > Falcon512.MaxSignatureSize || !r.TryReadBytes(sigLen, out var sig)) { error = "bad proposal signature length"; return false; }
        if (!r.TryReadU32(out var blockLen) || blockLen != r.Remaining || !r.TryReadBytes((int)blockLen, out var blockBytes)) { error = "bad block length"; return false; }
        if (!BlockCodec.TryDecode(blockBytes, maxTransactionBytes, out var block, out var blockError)) { error = "block: " + blockError; return false; }
        if (block.Number != height) { error = $"block {block.Number} in a proposal for height {height}"; return false; }
        proposal = new Proposal(height, round, polRound, block, proposer, sig.ToArray());
        error = "";
        return true;
    }
}

/// <summary>A signed proposal's identity without its block: (height, round, proposer, Keccak-256 of the signature).</summary>
public readonly record struct ProposalKey(ulong Height, uint Round, Address Proposer, Hash32 SignatureHash);
