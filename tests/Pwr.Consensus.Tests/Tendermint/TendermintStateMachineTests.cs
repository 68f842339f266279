using Pwr.Chain;
using Pwr.Consensus.Tendermint;
using Pwr.Core;

namespace Pwr.Consensus.Tests.Tendermint;

public class TendermintStateMachineTests
{
    private static BroadcastVote SingleVote(IEnumerable<ConsensusAction> actions) => Assert.Single(actions.OfType<BroadcastVote>());

    [Fact]
    public void Start_of_height_schedules_propose_timeout_and_non_proposer_does_not_build()
    {
        var h = new StateMachineHarness();
        var timeout = Assert.Single(h.StartActions.OfType<ScheduleTimeout>());
        Assert.Equal((1UL, 0U, ConsensusStep.Propose, TimeSpan.FromSeconds(3)), (timeout.Height, timeout.Round, timeout.Step, timeout.Delay));
        Assert.Empty(h.StartActions.OfType<BuildBlock>());
        Assert.Equal(ConsensusStep.Propose, h.Machine.Step);
    }

    [Fact]
    public void Proposer_builds_block_then_broadcasts_it_with_pol_round_minus_one()
    {
        var h = new StateMachineHarness(selfIsProposer: true);
        var build = Assert.Single(h.StartActions.OfType<BuildBlock>());
        Assert.Equal((1UL, 0U), (build.Height, build.Round));
        var block = StateMachineHarness.MakeBlock(1, "own");
        var proposal = Assert.Single(h.Machine.Handle(new OwnBlockReady(1, 0, block)).OfType<BroadcastProposal>());
        Assert.Equal(-1, proposal.PolRound);
        Assert.Equal(block.Hash, proposal.Block.Hash);
    }

    [Fact]
    public void Valid_proposal_gets_prevote_for_its_block()
    {
        var h = new StateMachineHarness();
        var block = StateMachineHarness.MakeBlock(1, "a");
        var vote = SingleVote(h.Propose(0, block));
        Assert.Equal((VoteType.Prevote, 0U, block.Hash), (vote.Type, vote.Round, vote.BlockHash));
        Assert.Equal(ConsensusStep.Prevote, h.Machine.Step);
    }

    [Fact]
    public void Invalid_proposal_gets_nil_prevote()
    {
        var h = new StateMachineHarness();
        var vote = SingleVote(h.Propose(0, StateMachineHarness.MakeBlock(1, "bad"), valid: false));
        Assert.Equal(VoteType.Prevote, vote.Type);
        Assert.True(vote.BlockHash.IsZero);
    }

    [Fact]
    public void Proposal_from_a_validator_that_is_not_the_proposer_is_ignored()
    {
        var h = new StateMachineHarness();
        var notProposer = StateMachineHarness.Keys.First(k => k.Address != ProposerSelection.Proposer(StateMachineHarness.Set, 1, 0));
        var actions = h.Machine.Handle(new ProposalReceived(Proposal.Sign(notProposer, 0x50, 1, 0, -1, StateMachineHarness.MakeBlock(1, "x")), true));
        Assert.Empty(actions);
        Assert.Equal(ConsensusStep.Propose, h.Machine.Step);
    }

    [Fact]
    public void Propose_timeout_sends_nil_prevote()
    {
        var h = new StateMachineHarness();
        var vote = SingleVote(h.Timeout(0, ConsensusStep.Propose));
        Assert.Equal(VoteType.Prevote, vote.Type);
        Assert.True(vote.BlockHash.IsZero);
        Assert.Equal(ConsensusStep.Prevote, h.Machine.Step);
    }

    [Fact]
    public void Quorum_of_prevotes_for_the_proposal_locks_and_precommits_it()
    {
        var h = new StateMachineHarness();
        var block = StateMachineHarness.MakeBlock(1, "a");
        h.Echo(h.Propose(0, block));
        var actions = h.Votes(h.Others.Take(2), VoteType.Prevote, 0, block.Hash);
        var vote = SingleVote(actions);
        Assert.Equal((VoteType.Precommit, block.Hash), (vote.Type, vote.BlockHash));
        Assert.Equal(0, h.Machine.LockedRound);
        Assert.Equal(block.Hash, h.Machine.LockedValue);
        Assert.Equal(0, h.Machine.ValidRound);
        Assert.Equal(ConsensusStep.Precommit, h.Machine.Step);
    }

    [Fact]
    public void Mixed_prevote_quorum_schedules_prevote_timeout_whose_expiry_precommits_nil()
    {
        var h = new StateMachineHarness();
        var block = StateMachineHarness.MakeBlock(1, "a");
        h.Echo(h.Propose(0, block));
        var others = h.Others.ToArray();
        var actions = h.Votes([others[0]], VoteType.Prevote, 0, Hash32.Zero);
        Assert.Empty(actions.OfType<ScheduleTimeout>());
        actions = h.Votes([others[1]], VoteType.Prevote, 0, Keccak.Hash256("other"u8));
        var timeout = Assert.Single(actions.OfType<ScheduleTimeout>());
        Assert.Equal((ConsensusStep.Prevote, TimeSpan.FromSeconds(1)), (timeout.Step, timeout.Delay));
        Assert.Empty(actions.OfType<BroadcastVote>());
        var vote = SingleVote(h.Timeout(0, ConsensusStep.Prevote));
        Assert.Equal(VoteType.Precommit, vote.Type);
        Assert.True(vote.BlockHash.IsZero);
    }

    [Fact]
    public void Quorum_of_nil_prevotes_precommits_nil()
    {
        var h = new StateMachineHarness();
        h.Echo(h.Timeout(0, ConsensusStep.Propose));
        var vote = SingleVote(h.Votes(h.Others.Take(2), VoteType.Prevote, 0, Hash32.Zero));
        Assert.Equal(VoteType.Precommit, vote.Type);
        Assert.True(vote.BlockHash.IsZero);
        Assert.Equal(-1, h.Machine.LockedRound);
    }

    [Fact]
    public void Quorum_of_precommits_for_the_proposal_decides_with_those_precommits()
    {
        var h = new StateMachineHarness();
        var block = StateMachineHarness.MakeBlock(1, "a");
        h.Propose(0, block);
        var actions = h.Votes(h.Others, VoteType.Precommit, 0, block.Hash);
        var decide = Assert.Single(actions.OfType<Decide>());
        Assert.Equal(block.Hash, decide.Block.Hash);
        Assert.Equal(3, decide.Precommits.Count);
        Assert.All(decide.Precommits, v => Assert.Equal(block.Hash, v.BlockHash));
        Assert.Equal(ConsensusStep.Commit, h.Machine.Step);
        Assert.Empty(h.Timeout(0, ConsensusStep.Precommit));
    }

    [Fact]
    public void Two_precommits_of_four_do_not_decide()
    {
        var h = new StateMachineHarness();
        var block = StateMachineHarness.MakeBlock(1, "a");
        h.Propose(0, block);
        Assert.Empty(h.Votes(h.Others.Take(2), VoteType.Precommit, 0, block.Hash).OfType<Decide>());
    }

    [Fact]
    public void Precommits_without_the_proposal_do_not_decide_until_it_arrives()
    {
        var h = new StateMachineHarness();
        var block = StateMachineHarness.MakeBlock(1, "a");
        Assert.Empty(h.Votes(h.Others, VoteType.Precommit, 0, block.Hash).OfType<Decide>());
        Assert.Single(h.Propose(0, block).OfType<Decide>());
    }

    [Fact]
    public void Quorum_of_any_precommits_schedules_precommit_timeout_whose_expiry_starts_next_round_with_longer_timeout()
    {
        var h = new StateMachineHarness();
        h.Echo(h.Timeout(0, ConsensusStep.Propose));
        var others = h.Others.ToArray();
        h.Vote(others[0], VoteType.Precommit, 0, Hash32.Zero);
        var actions = h.Vote(others[1], VoteType.Precommit, 0, Keccak.Hash256("x"u8));
        Assert.Empty(actions.OfType<ScheduleTimeout>());
        actions = h.Vote(others[2], VoteType.Precommit, 0, Hash32.Zero);
        Assert.Equal(ConsensusStep.Precommit, Assert.Single(actions.OfType<ScheduleTimeout>()).Step);
        var next = h.Timeout(0, ConsensusStep.Precommit);
        Assert.Equal(1U, h.Machine.Round);
        var propose = Assert.Single(next.OfType<ScheduleTimeout>());
        Assert.Equal((1U, ConsensusStep.Propose, TimeSpan.FromMilliseconds(3500)), (propose.Round, propose.Step, propose.Delay));
    }

    [Fact]
    public void Timeout_of_an_old_round_is_ignored()
    {
        var h = new StateMachineHarness();
        h.Timeout(0, ConsensusStep.Propose);
        h.Timeout(0, ConsensusStep.Precommit);
        Assert.Equal(1U, h.Machine.Round);
        Assert.Empty(h.Timeout(0, ConsensusStep.Propose));
        Assert.Equal(ConsensusStep.Propose, h.Machine.Step);
    }

    [Fact]
    public void Locked_validator_prevotes_nil_for_a_different_block_without_newer_pol()
    {
        var h = new StateMachineHarness();
        var a = StateMachineHarness.MakeBlock(1, "a");
        h.Echo(h.Propose(0, a));
        h.Echo(h.Votes(h.Others.Take(2), VoteType.Prevote, 0, a.Hash));
        Assert.Equal(0, h.Machine.LockedRound);
        h.Timeout(0, ConsensusStep.Precommit);
        var b = StateMachineHarness.MakeBlock(1, "b");
        var vote = SingleVote(h.Propose(1, b));
        Assert.True(vote.BlockHash.IsZero);
        Assert.Equal(a.Hash, h.Machine.LockedValue);
    }

    [Fact]
    public void Locked_validator_prevotes_its_locked_block_when_proposed_again()
    {
        var h = new StateMachineHarness();
        var a = StateMachineHarness.MakeBlock(1, "a");
        h.Echo(h.Propose(0, a));
        h.Echo(h.Votes(h.Others.Take(2), VoteType.Prevote, 0, a.Hash));
        h.Timeout(0, ConsensusStep.Precommit);
        Assert.Equal(a.Hash, SingleVote(h.Propose(1, a)).BlockHash);
    }

    [Fact]
    public void Proof_of_lock_from_a_newer_round_unlocks_and_prevotes_the_new_block()
    {
        var h = new StateMachineHarness();
        var a = StateMachineHarness.MakeBlock(1, "a");
        var b = StateMachineHarness.MakeBlock(1, "b");
        h.Echo(h.Propose(0, a));
        h.Echo(h.Votes(h.Others.Take(2), VoteType.Prevote, 0, a.Hash));
        h.Timeout(0, ConsensusStep.Precommit);
        // Round 1: we prevote nil (locked on a) but the others saw b get a POL in round 1.
        h.Echo(h.Propose(1, b));
        h.Votes(h.Others, VoteType.Prevote, 1, b.Hash);
        h.Timeout(1, ConsensusStep.Precommit);
        Assert.Equal(2U, h.Machine.Round);
        var vote = SingleVote(h.Propose(2, b, polRound: 1));
        Assert.Equal((VoteType.Prevote, b.Hash), (vote.Type, vote.BlockHash));
    }

    [Fact]
    public void Proposal_with_pol_round_waits_for_the_pol_prevotes()
    {
        var h = new StateMachineHarness();
        h.Timeout(0, ConsensusStep.Propose);
        h.Timeout(0, ConsensusStep.Precommit);
        var b = StateMachineHarness.MakeBlock(1, "b");
        Assert.Empty(h.Propose(1, b, polRound: 0).OfType<BroadcastVote>());
        var others = h.Others.ToArray();
        Assert.Empty(h.Votes(others.Take(2), VoteType.Prevote, 0, b.Hash).OfType<BroadcastVote>());
        Assert.Equal(b.Hash, SingleVote(h.Vote(others[2], VoteType.Prevote, 0, b.Hash)).BlockHash);
    }

    [Fact]
    public void Pol_for_an_older_round_than_the_lock_does_not_unlock()
    {
        var h = new StateMachineHarness();
        var a = StateMachineHarness.MakeBlock(1, "a");
        var b = StateMachineHarness.MakeBlock(1, "b");
        h.Timeout(0, ConsensusStep.Propose);
        h.Votes(h.Others, VoteType.Prevote, 0, b.Hash); // POL for b in round 0 (we never saw the proposal)
        h.Timeout(0, ConsensusStep.Precommit);
        h.Echo(h.Propose(1, a));
        h.Echo(h.Votes(h.Others.Take(2), VoteType.Prevote, 1, a.Hash));
        Assert.Equal(1, h.Machine.LockedRound);
        h.Timeout(1, ConsensusStep.Precommit);
        Assert.True(SingleVote(h.Propose(2, b, polRound: 0)).BlockHash.IsZero);
    }

    [Fact]
    public void Proposer_re_proposes_its_valid_value_with_its_valid_round()
    {
        bool found = false;
        for (ulong height = 1; height < 100 && !found; height++)
        {
            // Find a height where we are the proposer of round 1 but not of round 0.
            var h = new StateMachineHarness(height);
            if (ProposerSelection.Proposer(StateMachineHarness.Set, height, 1) != h.Self.Address) continue;
            var block = StateMachineHarness.MakeBlock(height, "a");
            h.Echo(h.Propose(0, block));
            h.Echo(h.Votes(h.Others.Where(k => k.Address != h.Self.Address).Take(2), VoteType.Prevote, 0, block.Hash));
            Assert.Equal(0, h.Machine.ValidRound);
            var next = h.Timeout(0, ConsensusStep.Precommit);
            Assert.Empty(next.OfType<BuildBlock>());
            var proposal = Assert.Single(next.OfType<BroadcastProposal>());
            Assert.Equal((1U, 0, block.Hash), (proposal.Round, proposal.PolRound, proposal.Block.Hash));
            found = true;
        }
        Assert.True(found);
    }

    [Fact]
    public void Messages_from_more_than_a_third_of_power_in_a_higher_round_skip_to_it()
    {
        var h = new StateMachineHarness();
        var others = h.Others.ToArray();
        Assert.Empty(h.Vote(others[0], VoteType.Prevote, 5, Hash32.Zero));
        Assert.Equal(0U, h.Machine.Round);
        var actions = h.Vote(others[1], VoteType.Precommit, 5, Hash32.Zero);
        Assert.Equal(5U, h.Machine.Round);
        Assert.Equal(ConsensusStep.Propose, h.Machine.Step);
        var timeout = Assert.Single(actions.OfType<ScheduleTimeout>());
        Assert.Equal((5U, TimeSpan.FromMilliseconds(3000 + 5 * 500)), (timeout.Round, timeout.Delay));
    }

    [Fact]
    public void Second_different_vote_of_a_validator_is_reported_and_not_counted()
    {
        var h = new StateMachineHarness();
        var block = StateMachineHarness.MakeBlock(1, "a");
        h.Echo(h.Propose(0, block));
        var others = h.Others.ToArray();
        h.Vote(others[0], VoteType.Prevote, 0, block.Hash);
        var actions = h.Vote(others[0], VoteType.Prevote, 0, Hash32.Zero);
        var evidence = Assert.Single(actions.OfType<EquivocationDetected>());
        Assert.Equal(block.Hash, evidence.First.BlockHash);
        Assert.True(evidence.Second.BlockHash.IsZero);
        Assert.Empty(actions.OfType<BroadcastVote>());
        // The nil prevote did not count: one more nil prevote is still no nil quorum, one more for the block is.
        Assert.Empty(h.Vote(others[1], VoteType.Prevote, 0, Hash32.Zero).OfType<BroadcastVote>());
        Assert.Empty(h.Vote(others[0], VoteType.Prevote, 0, block.Hash));
    }

    [Fact]
    public void Identical_vote_received_twice_is_not_evidence()
    {
        var h = new StateMachineHarness();
        var vote = SignedVote.Sign(h.Others.First(), 0x50, VoteType.Prevote, 1, 0, Hash32.Zero);
        h.Machine.Handle(new VoteReceived(vote));
        Assert.Empty(h.Machine.Handle(new VoteReceived(vote)));
    }

    [Fact]
    public void Votes_of_non_validators_are_ignored()
    {
        var h = new StateMachineHarness();
        var outsiders = Enumerable.Range(0, 3).Select(i => DevnetKeys.FromLabel($"outsider/{i}")).ToArray();
        Assert.Empty(h.Votes(outsiders, VoteType.Prevote, 3, Hash32.Zero));
        Assert.Equal(0U, h.Machine.Round);
        h.Echo(h.Timeout(0, ConsensusStep.Propose));
        Assert.Empty(h.Votes(outsiders, VoteType.Prevote, 0, Hash32.Zero));
        Assert.Equal(ConsensusStep.Prevote, h.Machine.Step);
    }

    [Fact]
    public void Messages_for_other_heights_are_ignored()
    {
        var h = new StateMachineHarness(height: 5);
        var block = StateMachineHarness.MakeBlock(6, "next");
        Assert.Empty(h.Machine.Handle(new ProposalReceived(Proposal.Sign(StateMachineHarness.Keys[0], 0x50, 6, 0, -1, block), true)));
        foreach (var k in h.Others)
        {
            Assert.Empty(h.Machine.Handle(new VoteReceived(SignedVote.Sign(k, 0x50, VoteType.Precommit, 6, 3, block.Hash))));
            Assert.Empty(h.Machine.Handle(new VoteReceived(SignedVote.Sign(k, 0x50, VoteType.Precommit, 4, 3, block.Hash))));
        }
        Assert.Empty(h.Machine.Handle(new TimeoutFired(4, 0, ConsensusStep.Propose)));
        Assert.Equal((5UL, 0U, ConsensusStep.Propose), (h.Machine.Height, h.Machine.Round, h.Machine.Step));
    }

    [Fact]
    public void Decision_in_an_earlier_round_is_taken_while_in_a_later_round()
    {
        var h = new StateMachineHarness();
        var block = StateMachineHarness.MakeBlock(1, "a");
        h.Propose(0, block);
        h.Timeout(0, ConsensusStep.Propose);
        h.Timeout(0, ConsensusStep.Precommit);
        Assert.Equal(1U, h.Machine.Round);
        var decide = Assert.Single(h.Votes(h.Others, VoteType.Precommit, 0, block.Hash).OfType<Decide>());
        Assert.Equal(0U, decide.Round);
    }

    [Fact]
    public void Own_precommit_replayed_after_restart_restores_the_lock()
    {
        var h = new StateMachineHarness();
        var a = StateMachineHarness.MakeBlock(1, "a");
        h.Machine.Handle(new VoteReceived(SignedVote.Sign(h.Self, 0x50, VoteType.Precommit, 1, 0, a.Hash)));
        Assert.Equal((0, a.Hash), (h.Machine.LockedRound, h.Machine.LockedValue));
        h.Timeout(0, ConsensusStep.Propose);
        h.Timeout(0, ConsensusStep.Precommit);
        Assert.True(SingleVote(h.Propose(1, StateMachineHarness.MakeBlock(1, "b"))).BlockHash.IsZero);
    }

    [Fact]
    public void Follower_without_a_validator_key_never_votes_but_decides()
    {
        var m = new TendermintStateMachine(StateMachineHarness.Options);
        m.Handle(new StartHeight(1, StateMachineHarness.Set, null));
        var block = StateMachineHarness.MakeBlock(1, "a");
        var proposer = StateMachineHarness.Keys.Single(k => k.Address == ProposerSelection.Proposer(StateMachineHarness.Set, 1, 0));
        Assert.Empty(m.Handle(new ProposalReceived(Proposal.Sign(proposer, 0x50, 1, 0, -1, block), true)).OfType<BroadcastVote>());
        var actions = StateMachineHarness.Keys.Take(3).SelectMany(k => m.Handle(new VoteReceived(SignedVote.Sign(k, 0x50, VoteType.Precommit, 1, 0, block.Hash)))).ToList();
        Assert.Single(actions.OfType<Decide>());
        Assert.Empty(actions.OfType<BroadcastVote>());
    }
    [Fact]
    public void Quorums_and_round_skips_count_voting_power_not_validators()
    {
        // Powers 3, 1, 1, 1 (total 6): the heavy validator alone is more than a third, but it and one more are not 2/3.
        var keys = StateMachineHarness.Keys;
        var set = new ValidatorSet(keys.Select((k, i) => new Validator(k.Address, k.PublicKey, i == 0 ? 3UL : 1UL)));
        var self = keys[3];
        var m = new TendermintStateMachine(StateMachineHarness.Options);
        m.Handle(new StartHeight(1, set, self.Address));
        m.Handle(new VoteReceived(SignedVote.Sign(keys[1], 0x50, VoteType.Prevote, 1, 4, Hash32.Zero)));
        Assert.Equal(0U, m.Round);
        m.Handle(new VoteReceived(SignedVote.Sign(keys[0], 0x50, VoteType.Prevote, 1, 7, Hash32.Zero)));
        Assert.Equal(7U, m.Round);
        m.Handle(new TimeoutFired(1, 7, ConsensusStep.Propose));
        Assert.Empty(m.Handle(new VoteReceived(SignedVote.Sign(keys[1], 0x50, VoteType.Prevote, 1, 7, Hash32.Zero))).OfType<BroadcastVote>());
        var precommit = Assert.Single(m.Handle(new VoteReceived(SignedVote.Sign(keys[2], 0x50, VoteType.Prevote, 1, 7, Hash32.Zero))).OfType<BroadcastVote>());
        Assert.Equal(VoteType.Precommit, precommit.Type);
    }
}
