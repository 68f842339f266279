using Microsoft.Extensions.Logging.Abstractions;
using Pwr.Chain;
using Pwr.Core;

namespace Pwr.Consensus.Tests.Engine;

/// <summary>One node of a test cluster: a ChainApplication in a temp directory and a BftEngine that can be stopped and restarted.</summary>
public sealed class BftNode
{
    private readonly BftCluster _cluster;
    private CancellationTokenSource? _cts;

    internal BftNode(BftCluster cluster, FalconKeyPair? key, Address address, string dir)
    {
        _cluster = cluster;
        Key = key;
        Address = address;
        Dir = dir;
        Network = cluster.Network.Join(address);
        Options = cluster.Options;
    }

    /// <summary>The engine options the next <see cref="Start"/> uses (a byzantine node gets its own).</summary>
    public BftOptions Options { get; set; }

    public FalconKeyPair? Key { get; }
    public Address Address { get; }
    public string Dir { get; }
    public InMemoryPeerNetwork Network { get; }
    public ChainApplication Chain { get; private set; } = null!;
    public BftEngine Engine { get; private set; } = null!;
    public Task? Running { get; private set; }
    public ulong Height => Chain.LastHeader.Number;
    public List<(SignedVote, SignedVote)> Equivocations { get; } = [];

    public void Start()
    {
        Chain = new ChainApplication(Path.Combine(Dir, "chain"), _cluster.Genesis, new ChainOptions(), TimeProvider.System, NullLogger<ChainApplication>.Instance);
        Engine = new BftEngine(Chain, Key, Network, Options, Path.Combine(Dir, "wal"), TimeProvider.System, FileLoggerFactory.For(Address.ToString()[..6]));
        Engine.EquivocationDetected += (a, b) => { lock (Equivocations) Equivocations.Add((a, b)); };
        _cts = new CancellationTokenSource();
        _cluster.Network.SetOffline(Address, false);
        var engine = Engine;
        var ct = _cts.Token;
        Running = Task.Run(() => engine.RunAsync(ct));
    }

    /// <summary>Waits (bounded) until the engine runs and listens to the network.</summary>
    public async Task WaitStartedAsync()
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (Engine.Status.Step == "new-height" && Engine.Status.Height == 1 && DateTime.UtcNow < deadline) await Task.Delay(20);
        Assert.NotEqual("new-height", Engine.Status.Step);
    }

    /// <summary>Stops the engine and closes the database, as a crash or shutdown does; the node drops off the network.</summary>
    public async Task StopAsync()
    {
        if (_cts is null) return;
        _cluster.Network.SetOffline(Address, true);
        await _cts.CancelAsync();
        await Running!.WaitAsync(TimeSpan.FromSeconds(30));
        _cts.Dispose();
        _cts = null;
        Chain.Dispose();
    }
}

/// <summary>Four validators of power 1 (DevnetKeys.Validator(0..3)) over an in-memory network, each with its own chain directory and WAL.</summary>
public sealed class BftCluster : IAsyncDisposable
{
    public static readonly FalconKeyPair[] ValidatorKeys = [.. Enumerable.Range(0, 4).Select(i => DevnetKeys.Validator(i))];
    private readonly string _root = Path.Combine(Path.GetTempPath(), "pwr-bft-test-" + Guid.NewGuid().ToString("N"));

    public BftCluster(BftOptions? options = null)
    {
        Options = options ?? FastOptions();
        Genesis = MakeGenesis();
        Nodes = [.. ValidatorKeys.Select((k, i) => new BftNode(this, k, k.Address, Path.Combine(_root, "node" + i)))];
    }

    public InMemoryNetwork Network { get; } = new();
    public BftOptions Options { get; }
    public Genesis Genesis { get; }
    public BftNode[] Nodes { get; }

    public static BftOptions FastOptions(bool equivocate = false) => new()
    {
        BlockInterval = TimeSpan.FromMilliseconds(150),
        TimeoutPropose = TimeSpan.FromMilliseconds(800), TimeoutProposeDelta = TimeSpan.FromMilliseconds(100),
        TimeoutPrevote = TimeSpan.FromMilliseconds(300), TimeoutPrevoteDelta = TimeSpan.FromMilliseconds(100),
        TimeoutPrecommit = TimeSpan.FromMilliseconds(300), TimeoutPrecommitDelta = TimeSpan.FromMilliseconds(100),
        RebroadcastInterval = TimeSpan.FromMilliseconds(400),
        EquivocateForFaultTests = equivocate,
    };

    public static Genesis MakeGenesis()
    {
        var accounts = new List<GenesisAccount>();
        for (int i = 0; i < 3; i++)
        {
            var k = DevnetKeys.Account(i);
            accounts.Add(new GenesisAccount(k.Address, 1_000_000 * Units.PerPwr, k.PublicKey));
        }
        foreach (var v in ValidatorKeys) accounts.Add(new GenesisAccount(v.Address, 0, v.PublicKey));
        return new Genesis
        {
            ChainId = 0x50,
            TimestampMs = 1_767_225_600_000,
            Accounts = accounts,
            Validators = [.. ValidatorKeys.Select(k => new Validator(k.Address, k.PublicKey, 1))],
        };
    }

    public BftNode AddFollower(string label)
    {
        var key = DevnetKeys.FromLabel("follower/" + label);
        var node = new BftNode(this, null, key.Address, Path.Combine(_root, "follower-" + label));
        _extra.Add(node);
        return node;
    }

    public void StartAll()
    {
        foreach (var n in Nodes) n.Start();
    }

    /// <summary>Waits (bounded) until every given node has finalized at least <paramref name="height"/>.</summary>
    public static async Task<bool> WaitForHeightAsync(IEnumerable<BftNode> nodes, ulong height, TimeSpan limit)
    {
        var list = nodes.ToList();
        var deadline = DateTime.UtcNow + limit;
        while (DateTime.UtcNow < deadline)
        {
            if (list.All(n => n.Height >= height)) return true;
            await Task.Delay(50);
        }
        return list.All(n => n.Height >= height);
    }

    public static readonly TimeSpan Generous = TimeSpan.FromSeconds(60);

    public async ValueTask DisposeAsync()
    {
        foreach (var n in Nodes.Concat(_extra)) await n.StopAsync();
        Network.Dispose();
        try { Directory.Delete(_root, recursive: true); } catch (IOException) { }
    }

    private readonly List<BftNode> _extra = [];
}
