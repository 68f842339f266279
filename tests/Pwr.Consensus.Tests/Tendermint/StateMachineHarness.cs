using Pwr.Chain;
using Pwr.Consensus.Tendermint;
using Pwr.Core;

namespace Pwr.Consensus.Tests.Tendermint;

/// <summary>Four validators of power 1 and one state machine driven as a chosen one of them.</summary>
internal sealed class StateMachineHarness
{
    public const byte ChainId = 0x50;
    public static readonly FalconKeyPair[] Keys = [.. Enumerable.Range(0, 4).Select(i => DevnetKeys.Validator(i))];
    public static readonly ValidatorSet Set = new(Keys.Select(k => new Validator(k.Address, k.PublicKey, 1)));

    public static readonly BftOptions Options = new()
    {
        TimeoutPropose = TimeSpan.FromSeconds(3), TimeoutProposeDelta = TimeSpan.FromMilliseconds(500),
        TimeoutPrevote = TimeSpan.FromSeconds(1), TimeoutPrevoteDelta = TimeSpan.FromMilliseconds(250),
        TimeoutPrecommit = TimeSpan.FromSeconds(1), TimeoutPrecommitDelta = TimeSpan.FromMilliseconds(100),
    };

    public StateMachineHarness(ulong height = 1, bool selfIsProposer = false)
    {
        Height = height;
        var proposer = ProposerSelection.Proposer(Set, height, 0);
        Self = Keys.First(k => (k.Address == proposer) == selfIsProposer);
        Machine = new TendermintStateMachine(Options);
        StartActions = Machine.Handle(new StartHeight(height, Set, Self.Address));
    }

    public ulong Height { get; }
    public FalconKeyPair Self { get; }
    public TendermintStateMachine Machine { get; }
    public IReadOnlyList<ConsensusAction> StartActions { get; }

    public FalconKeyPair KeyOf(Address a) => Keys.Single(k => k.Address == a);
    public FalconKeyPair ProposerKey(uint round) => KeyOf(ProposerSelection.Proposer(Set, Height, round));
    public IEnumerable<FalconKeyPair> Others => Keys.Where(k => k.Address != Self.Address);

    public static Block MakeBlock(ulong height, string label)
    {
        var header = new BlockHeader(height, 1_000 + height, Keccak.Hash256(System.Text.Encoding.UTF8.GetBytes(label)), Address.Zero, Hash32.Zero, Hash32.Zero, Set.Hash);
        return new Block { Header = header, Transactions = [], Results = [] };
    }

    public IReadOnlyList<ConsensusAction> Propose(uint round, Block block, int polRound = -1, bool valid = true)
        => Machine.Handle(new ProposalReceived(Proposal.Sign(ProposerKey(round), ChainId, Height, round, polRound, block), valid));

    public IReadOnlyList<ConsensusAction> Vote(FalconKeyPair key, VoteType type, uint round, Hash32 hash)
        => Machine.Handle(new VoteReceived(SignedVote.Sign(key, ChainId, type, Height, round, hash)));

    /// <summary>Votes from the given validators; returns every action the machine asked for.</summary>
    public List<ConsensusAction> Votes(IEnumerable<FalconKeyPair> keys, VoteType type, uint round, Hash32 hash)
        => keys.SelectMany(k => Vote(k, type, round, hash)).ToList();

    /// <summary>Signs the machine's own vote actions and feeds them back, as the driver does.</summary>
    public List<ConsensusAction> Echo(IEnumerable<ConsensusAction> actions)
    {
        var more = new List<ConsensusAction>();
        foreach (var v in actions.OfType<BroadcastVote>().ToList())
            more.AddRange(Machine.Handle(new VoteReceived(SignedVote.Sign(Self, ChainId, v.Type, v.Height, v.Round, v.BlockHash))));
        return more;
    }

    public IReadOnlyList<ConsensusAction> Timeout(uint round, ConsensusStep step) => Machine.Handle(new TimeoutFired(Height, round, step));
}
