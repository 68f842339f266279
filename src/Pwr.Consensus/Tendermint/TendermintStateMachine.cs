using Pwr.Chain;
using Pwr.Core;

namespace Pwr.Consensus.Tendermint;

/// <summary>
/// Algorithm 1 of "The latest gossip on BFT consensus" (Buchman, Kwon, Milosevic 2018) for one node, as a pure
/// function of its inputs: no I/O, clock, threads or randomness. The driver feeds inputs (including this node's
/// own proposals and votes once it has signed them) and carries out the returned actions. Quorums are counted in
/// voting power: 2f+1 = more than 2/3 (<see cref="ValidatorSet.IsQuorum"/>), f+1 = more than 1/3.
/// </summary>
public sealed class TendermintStateMachine(BftOptions options)
{
    private sealed class RoundState
    {
        public readonly Dictionary<Address, SignedVote> Prevotes = [];
        public readonly Dictionary<Address, SignedVote> Precommits = [];
        public readonly HashSet<Address> Senders = [];
        public ProposalReceived? Proposal;
        public bool PrevoteTimeoutScheduled;
        public bool PrecommitTimeoutScheduled;
        public bool LockRuleDone;
    }

    private readonly Dictionary<uint, RoundState> _rounds = [];
    private readonly HashSet<(Address, uint, VoteType)> _reportedEquivocations = [];
    private ValidatorSet? _validators;
    private Address? _self;
    private Hash32 _lockedValue;
    private Block? _validValue;

    public ulong Height { get; private set; }
    public uint Round { get; private set; }
    public ConsensusStep Step { get; private set; }
    public int LockedRound { get; private set; } = -1;
    public Hash32 LockedValue => _lockedValue;
    public int ValidRound { get; private set; } = -1;
    public Block? ValidValue => _validValue;
    public bool Started => _validators is not null;
    public ValidatorSet? Validators => _validators;

    public Address Proposer(uint round) => ProposerSelection.Proposer(_validators!, Height, round);

    /// <summary>This node's current-height votes it already sent, for re-broadcast.</summary>
    public IEnumerable<SignedVote> OwnVotes()
    {
        if (_self is not { } self) yield break;
        foreach (var (_, rs) in _rounds.OrderBy(kv => kv.Key))
        {
            if (rs.Prevotes.TryGetValue(self, out var p)) yield return p;
            if (rs.Precommits.TryGetValue(self, out var c)) yield return c;
        }
    }

    /// <summary>The proposal accepted for a round of the current height, if any.</summary>
    public Proposal? ProposalOf(uint round) => _rounds.TryGetValue(round, out var rs) ? rs.Proposal?.Proposal : null;

    public IReadOnlyList<ConsensusAction> Handle(ConsensusInput input)
    {
        var actions = new List<ConsensusAction>();
        switch (input)
        {
            case StartHeight s:
                StartNewHeight(s, actions);
                break;
            case ProposalReceived p when Started && p.Proposal.Height == Height && Step != ConsensusStep.Commit:
                if (!OnProposal(p)) return actions;
                break;
            case VoteReceived v when Started && v.Vote.Height == Height && Step != ConsensusStep.Commit:
                if (!OnVote(v.Vote, actions)) return actions;
                break;
            case TimeoutFired t when Started && t.Height == Height && Step != ConsensusStep.Commit:
                OnTimeout(t, actions);
                break;
            case OwnBlockReady b when Started && b.Height == Height && b.Round == Round && Step == ConsensusStep.Propose && _self == Proposer(Round):
                actions.Add(new BroadcastProposal(Height, Round, -1, b.Block));
                break;
            default:
                return actions;
        }
        Evaluate(actions);
        return actions;
    }

    private void StartNewHeight(StartHeight s, List<ConsensusAction> actions)
    {
        if (Started && s.Height <= Height) return;
        _validators = s.Validators;
        _self = s.Self is { } a && s.Validators.Find(a) is not null ? a : null;
        Height = s.Height;
        _rounds.Clear();
        _reportedEquivocations.Clear();
        _lockedValue = Hash32.Zero;
        LockedRound = -1;
        _validValue = null;
        ValidRound = -1;
        StartRound(0, actions);
    }

    // Algorithm 1, StartRound.
    private void StartRound(uint round, List<ConsensusAction> actions)
    {
        Round = round;
        Step = ConsensusStep.Propose;
        if (_self is { } self && Proposer(round) == self)
        {
            if (_validValue is not null) actions.Add(new BroadcastProposal(Height, round, ValidRound, _validValue));
            else actions.Add(new BuildBlock(Height, round));
        }
        // Followers and proposers alike: a proposer whose block never arrives (a failed build) still moves on.
        actions.Add(new ScheduleTimeout(Height, round, ConsensusStep.Propose, options.Timeout(ConsensusStep.Propose, round)));
    }

    private RoundState At(uint round)
    {
        if (!_rounds.TryGetValue(round, out var rs)) _rounds[round] = rs = new RoundState();
        return rs;
    }

    private bool OnProposal(ProposalReceived p)
    {
        var proposal = p.Proposal;
        if (proposal.Proposer != Proposer(proposal.Round)) return false;
        if (proposal.PolRound >= 0 && (uint)proposal.PolRound >= proposal.Round) return false;
        var rs = At(proposal.Round);
        if (rs.Proposal is not null) return false; // the first proposal of a round counts
        rs.Proposal = p;
        rs.Senders.Add(proposal.Proposer);
        return true;
    }

    private bool OnVote(SignedVote vote, List<ConsensusAction> actions)
    {
        if (_validators!.Find(vote.Validator) is null) return false;
        var rs = At(vote.Round);
        var votes = vote.Type == VoteType.Prevote ? rs.Prevotes : rs.Precommits;
        if (votes.TryGetValue(vote.Validator, out var first))
        {
            if (first.BlockHash != vote.BlockHash && _reportedEquivocations.Add((vote.Validator, vote.Round, vote.Type)))
                actions.Add(new EquivocationDetected(first, vote));
            return false;
        }
        votes[vote.Validator] = vote;
        rs.Senders.Add(vote.Validator);
        // Our own precommit for a value is our lock; replayed from the WAL after a restart it restores the lock.
        if (vote.Validator == _self && vote.Type == VoteType.Precommit && !vote.IsNil && (int)vote.Round > LockedRound)
        {
            LockedRound = (int)vote.Round;
            _lockedValue = vote.BlockHash;
        }
        return true;
    }

    private void OnTimeout(TimeoutFired t, List<ConsensusAction> actions)
    {
        if (t.Round != Round) return;
        switch (t.Step)
        {
            case ConsensusStep.Propose when Step == ConsensusStep.Propose:
                Vote(VoteType.Prevote, Hash32.Zero, actions);
                Step = ConsensusStep.Prevote;
                break;
            case ConsensusStep.Prevote when Step == ConsensusStep.Prevote:
                Vote(VoteType.Precommit, Hash32.Zero, actions);
                Step = ConsensusStep.Precommit;
                break;
            case ConsensusStep.Precommit:
                StartRound(Round + 1, actions);
                break;
        }
    }

    private void Vote(VoteType type, Hash32 hash, List<ConsensusAction> actions)
    {
        if (_self is not null) actions.Add(new BroadcastVote(type, Height, Round, hash));
    }

    private ulong Power(Dictionary<Address, SignedVote> votes, Hash32? hash)
    {
        ulong power = 0;
        foreach (var v in votes.Values)
            if (hash is null || v.BlockHash == hash.Value) power += _validators!.Find(v.Validator)!.Power;
        return power;
    }

    private bool Quorum(ulong power) => _validators!.IsQuorum(power);

    private bool MoreThanOneThird(ulong power) => (UInt128)power * 3 > _validators!.TotalPower;

    /// <summary>Applies the upon-rules until none fires.</summary>
    private void Evaluate(List<ConsensusAction> actions)
    {
        bool progress = true;
        while (progress && Step != ConsensusStep.Commit)
        {
            progress = false;
            if (TryDecide(actions)) return;
            if (TrySkipRound(actions)) { progress = true; continue; }
            var rs = At(Round);
            var proposal = rs.Proposal;

            // Lines 22 and 28: prevote on the round's proposal.
            if (Step == ConsensusStep.Propose && proposal is not null)
            {
                var p = proposal.Proposal;
                if (p.PolRound == -1)
                {
                    bool ok = proposal.IsValid && (LockedRound == -1 || _lockedValue == p.BlockHash);
                    Vote(VoteType.Prevote, ok ? p.BlockHash : Hash32.Zero, actions);
                    Step = ConsensusStep.Prevote;
                    progress = true;
                }
                else if (_rounds.TryGetValue((uint)p.PolRound, out var pol) && Quorum(Power(pol.Prevotes, p.BlockHash)))
                {
                    bool ok = proposal.IsValid && (LockedRound <= p.PolRound || _lockedValue == p.BlockHash);
                    Vote(VoteType.Prevote, ok ? p.BlockHash : Hash32.Zero, actions);
                    Step = ConsensusStep.Prevote;
                    progress = true;
                }
            }

            // Line 34: 2f+1 prevotes of any kind start the prevote timeout.
            if (Step == ConsensusStep.Prevote && !rs.PrevoteTimeoutScheduled && Quorum(Power(rs.Prevotes, null)))
            {
                rs.PrevoteTimeoutScheduled = true;
                actions.Add(new ScheduleTimeout(Height, Round, ConsensusStep.Prevote, options.Timeout(ConsensusStep.Prevote, Round)));
            }

            // Line 36: a valid proposal with 2f+1 prevotes locks (if still prevoting) and becomes the valid value.
            if (Step >= ConsensusStep.Prevote && !rs.LockRuleDone && proposal is { IsValid: true }
                && Quorum(Power(rs.Prevotes, proposal.Proposal.BlockHash)))
            {
                rs.LockRuleDone = true;
                var v = proposal.Proposal;
                if (Step == ConsensusStep.Prevote)
                {
                    _lockedValue = v.BlockHash;
                    LockedRound = (int)Round;
                    Vote(VoteType.Precommit, v.BlockHash, actions);
                    Step = ConsensusStep.Precommit;
                }
                _validValue = v.Block;
                ValidRound = (int)Round;
                progress = true;
            }

            // Line 44: 2f+1 nil prevotes.
            if (Step == ConsensusStep.Prevote && Quorum(Power(rs.Prevotes, Hash32.Zero)))
            {
                Vote(VoteType.Precommit, Hash32.Zero, actions);
                Step = ConsensusStep.Precommit;
                progress = true;
            }

            // Line 47: 2f+1 precommits of any kind start the precommit timeout.
            if (!rs.PrecommitTimeoutScheduled && Quorum(Power(rs.Precommits, null)))
            {
                rs.PrecommitTimeoutScheduled = true;
                actions.Add(new ScheduleTimeout(Height, Round, ConsensusStep.Precommit, options.Timeout(ConsensusStep.Precommit, Round)));
            }
        }
    }

    // Line 49: a proposal of any round with 2f+1 precommits for it decides the height.
    private bool TryDecide(List<ConsensusAction> actions)
    {
        foreach (var (round, rs) in _rounds)
        {
            if (rs.Proposal is not { IsValid: true } p) continue;
            var hash = p.Proposal.BlockHash;
            if (!Quorum(Power(rs.Precommits, hash))) continue;
            var precommits = rs.Precommits.Values.Where(v => v.BlockHash == hash).OrderBy(v => v.Validator).ToList();
            Step = ConsensusStep.Commit;
            Round = round;
            actions.Add(new Decide(Height, round, p.Proposal.Block, precommits));
            return true;
        }
        return false;
    }

    // Line 55: f+1 of the power sending messages of a higher round moves this node to that round.
    private bool TrySkipRound(List<ConsensusAction> actions)
    {
        uint? target = null;
        foreach (var (round, rs) in _rounds)
        {
            if (round <= Round || (target is { } t && round <= t)) continue;
            ulong power = 0;
            foreach (var a in rs.Senders) power += _validators!.Find(a)!.Power;
            if (MoreThanOneThird(power)) target = round;
        }
        if (target is not { } r) return false;
        StartRound(r, actions);
        return true;
    }
}
