using Pwr.Chain;
using Pwr.Consensus.Tendermint;
using Pwr.Consensus.Wal;
using Pwr.Core;

namespace Pwr.Consensus.Tests.Tendermint;

public sealed class ConsensusWalTests : IDisposable
{
    private static readonly FalconKeyPair Key = DevnetKeys.Validator(0);
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "pwr-wal-test-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }

    private static Hash32 H(string s) => Keccak.Hash256(System.Text.Encoding.UTF8.GetBytes(s));

    [Fact]
    public void Restarted_validator_returns_its_logged_vote_instead_of_signing_a_different_one()
    {
        SignedVote first;
        using (var wal = new ConsensusWal(_dir))
            first = new SigningGuard(Key, 0x50, wal).SignVote(VoteType.Prevote, 5, 2, H("a"));
        using (var wal = new ConsensusWal(_dir))
        {
            var guard = new SigningGuard(Key, 0x50, wal);
            var again = guard.SignVote(VoteType.Prevote, 5, 2, H("b"));
            Assert.Equal(H("a"), again.BlockHash);
            Assert.Equal(first.Signature, again.Signature);
            Assert.Equal(H("b"), guard.SignVote(VoteType.Precommit, 5, 2, H("b")).BlockHash);
            Assert.Equal(H("c"), guard.SignVote(VoteType.Prevote, 5, 3, H("c")).BlockHash);
        }
    }

    [Fact]
    public void Restarted_proposer_re_sends_its_logged_proposal()
    {
        var a = StateMachineHarness.MakeBlock(5, "a");
        using (var wal = new ConsensusWal(_dir)) new SigningGuard(Key, 0x50, wal).SignProposal(5, 1, -1, a);
        using (var wal = new ConsensusWal(_dir))
        {
            var guard = new SigningGuard(Key, 0x50, wal);
            Assert.Equal(a.Hash, guard.LoggedProposal(5, 1)?.BlockHash);
            var again = guard.SignProposal(5, 1, -1, StateMachineHarness.MakeBlock(5, "b"));
            Assert.Equal(a.Hash, again.BlockHash);
            Assert.True(again.VerifySignature(Key.PublicKey, 0x50));
        }
    }

    [Fact]
    public void Torn_last_record_is_cut_off_and_earlier_records_survive()
    {
        string path;
        using (var wal = new ConsensusWal(_dir))
        {
            var guard = new SigningGuard(Key, 0x50, wal);
            guard.SignVote(VoteType.Prevote, 7, 0, H("a"));
            guard.SignVote(VoteType.Precommit, 7, 0, H("a"));
            path = wal.FilePath;
        }
        var full = File.ReadAllBytes(path);
        File.WriteAllBytes(path, full[..^100]); // crash in the middle of writing the precommit
        using (var wal = new ConsensusWal(_dir))
        {
            Assert.True(wal.DiscardedTailBytes > 0);
            Assert.NotNull(wal.FindVote(VoteType.Prevote, 7, 0));
            Assert.Null(wal.FindVote(VoteType.Precommit, 7, 0));
            new SigningGuard(Key, 0x50, wal).SignVote(VoteType.Precommit, 7, 0, Hash32.Zero);
        }
        using (var wal = new ConsensusWal(_dir))
        {
            Assert.Equal(0, wal.DiscardedTailBytes);
            Assert.True(wal.FindVote(VoteType.Precommit, 7, 0)!.IsNil);
        }
    }

    [Fact]
    public void Corrupt_record_ends_the_replay()
    {
        string path;
        using (var wal = new ConsensusWal(_dir))
        {
            var guard = new SigningGuard(Key, 0x50, wal);
            guard.SignVote(VoteType.Prevote, 7, 0, H("a"));
            guard.SignVote(VoteType.Precommit, 7, 0, H("a"));
            path = wal.FilePath;
        }
        var bytes = File.ReadAllBytes(path);
        bytes[^10] ^= 0xFF;
        File.WriteAllBytes(path, bytes);
        using var reopened = new ConsensusWal(_dir);
        Assert.Single(reopened.VotesAt(7));
    }

    [Fact]
    public void Pruning_old_heights_keeps_the_file_small_and_later_heights_intact()
    {
        using (var wal = new ConsensusWal(_dir))
        {
            var guard = new SigningGuard(Key, 0x50, wal);
            for (ulong h = 1; h <= 20; h++)
            {
                guard.SignProposal(h, 0, -1, StateMachineHarness.MakeBlock(h, "b"));
                guard.SignVote(VoteType.Prevote, h, 0, H("x"));
                guard.SignVote(VoteType.Precommit, h, 0, H("x"));
            }
            long before = wal.FileLength;
            wal.PruneBelow(20);
            Assert.True(wal.FileLength * 10 < before, $"{wal.FileLength} vs {before}");
            Assert.Null(wal.FindVote(VoteType.Prevote, 19, 0));
            guard.SignVote(VoteType.Prevote, 20, 1, H("y"));
        }
        using var reopened = new ConsensusWal(_dir);
        Assert.Equal(3, reopened.VotesAt(20).Count);
        Assert.Single(reopened.ProposalsAt(20));
        Assert.Empty(reopened.VotesAt(19));
    }

    [Fact]
    public void Appending_a_conflicting_vote_directly_is_refused()
    {
        using var wal = new ConsensusWal(_dir);
        wal.Append(SignedVote.Sign(Key, 0x50, VoteType.Prevote, 1, 0, H("a")));
        Assert.Throws<InvalidOperationException>(() => wal.Append(SignedVote.Sign(Key, 0x50, VoteType.Prevote, 1, 0, H("b"))));
    }
}
