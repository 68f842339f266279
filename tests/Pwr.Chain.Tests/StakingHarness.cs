using Pwr.Core;

namespace Pwr.Chain.Tests;

/// <summary>
/// A devnet-shaped chain whose blocks are committed with the precommits of every member of the height's validator
/// set, so that tests can change the set by staking and keep producing blocks.
/// </summary>
public sealed class StakingHarness : IDisposable
{
    private static readonly Dictionary<Address, FalconKeyPair> s_keys = Enumerable.Range(0, DevnetKeys.AccountCount)
        .Select(DevnetKeys.Account).Append(DevnetKeys.Validator()).ToDictionary(k => k.Address);

    public StakingHarness(ChainOptions? options = null) => F = new ChainFixture(options);

    public ChainFixture F { get; }
    public ChainApplication Chain => F.Chain;
    public static FalconKeyPair Dev(int i) => DevnetKeys.Account(i);
    public static FalconKeyPair GenesisValidator => ChainFixture.Validator;
    public ulong Head => Chain.LastHeader.Number;

    public ulong Balance(FalconKeyPair k) => F.Account(k.Address).Balance;

    /// <summary>Builds, commits and returns the next block; the proposer defaults to the first member of the set.</summary>
    public Block Produce(Address? proposer = null)
    {
        var height = Head + 1;
        var set = Chain.Validators;
        var proposal = Chain.PrepareProposal(height, Chain.LastHeader.TimestampMs + 1000, proposer ?? set.Validators[0].Address);
        var signatures = set.Validators.Select(v => Commit.SignPrecommit(s_keys[v.Address], Chain.ChainId, height, 0, proposal.Hash)).ToList();
        var block = new Block
        {
            Header = proposal.Header,
            Transactions = proposal.Transactions,
            Results = proposal.Results,
            Commit = new Commit(height, 0, proposal.Hash, signatures),
        };
        Chain.FinalizeBlock(block);
        Chain.Commit();
        return block;
    }

    public void ProduceUntil(ulong height)
    {
        while (Head < height) Produce();
    }

    private uint Nonce(FalconKeyPair k) => F.Account(k.Address).Nonce + (uint)Chain.Mempool.Snapshot(100_000).Count(p => p.Tx.Sender == k.Address);

    private byte[] Sign(byte[] unsignedTx, FalconKeyPair k) => TransactionBuilder.Sign(unsignedTx, k);

    public byte[] Join(FalconKeyPair k, ulong stake)
        => Sign(TransactionBuilder.JoinAsValidator(Chain.ChainId, Nonce(k), F.Fee, k.Address, stake), k);

    public byte[] Delegate(FalconKeyPair k, Address validator, ulong amount)
        => Sign(TransactionBuilder.Delegate(Chain.ChainId, Nonce(k), F.Fee, k.Address, validator, amount), k);

    public byte[] Undelegate(FalconKeyPair k, Address validator, ulong amount)
        => Sign(TransactionBuilder.Undelegate(Chain.ChainId, Nonce(k), F.Fee, k.Address, validator, amount), k);

    public byte[] Evidence(FalconKeyPair sender, SignedVote a, SignedVote b)
        => Sign(TransactionBuilder.DoubleSignEvidence(Chain.ChainId, Nonce(sender), F.Fee, sender.Address, a.Encode(), b.Encode()), sender);

    /// <summary>Submits and asserts acceptance.</summary>
    public byte[] Submit(byte[] raw)
    {
        var result = Chain.CheckTx(raw);
        Assert.True(result.Accepted, result.Message);
        return raw;
    }

    public ulong FeeOf(byte[] raw) => (ulong)raw.Length * F.Fee;

    public static SignedVote Vote(FalconKeyPair k, ulong height, Hash32 hash, VoteType type = VoteType.Prevote, uint round = 0, byte chainId = 0x50)
        => SignedVote.Sign(k, chainId, type, height, round, hash);

    public static Hash32 SomeHash(byte b) => new([.. Enumerable.Repeat(b, 32)]);

    public void Dispose() => F.Dispose();
}
