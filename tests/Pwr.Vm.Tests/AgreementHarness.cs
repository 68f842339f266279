using Pwr.Core;
using Pwr.Vm.Token;

namespace Pwr.Vm.Tests;

/// <summary>A peer whose answers the test scripts: a root, null ("not yet"), or an exception (unreachable).</summary>
internal sealed class FakePeer(string name, Func<ulong, Hash32?> answer) : IVmPeerRootSource
{
    private int _requests;

    public string Name => name;

    public int Requests => Volatile.Read(ref _requests);

    public Task<Hash32?> GetRootHashAsync(ulong vmId, ulong blockNumber, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _requests);
        return Task.FromResult(answer(blockNumber));
    }
}

/// <summary>
/// A token VM host with root agreement under test, the honest roots of the same blocks (computed in a separate store),
/// and a block source the test feeds. The agreement's own timer is effectively off; tests call CheckOnceAsync.
/// </summary>
internal sealed class AgreementHarness : IAsyncDisposable
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private readonly TempDirectory _dir = new();
    private readonly List<VmTransaction[]> _blocks;
    private readonly Dictionary<ulong, Hash32> _honest = [];

    public AgreementHarness(Func<AgreementHarness, IReadOnlyList<IVmPeerRootSource>> peers, int blocks = 60, VmHostOptions? options = null)
    {
        _blocks = [.. TestData.TransferBlocks(blocks, txPerBlock: 10)];
        using (var reference = VmStore.Open(_dir.Sub("reference")))
        {
            var vm = new TokenVm(TestData.TokenVmId);
            for (int i = 0; i < _blocks.Count; i++)
            {
                var block = new VmBlock((ulong)i + 1, 1_700_000_000_000 + ((ulong)i + 1) * 1000, Keccak.Hash256(BitConverter.GetBytes((ulong)i + 1)), _blocks[i]);
                _honest[block.Number] = reference.ApplyBlock(vm, block, sync: false);
            }
        }
        Store = VmStore.Open(_dir.Sub("vm"));
        Options = options ?? new VmHostOptions
        {
            PollInterval = TimeSpan.FromMilliseconds(20),
            SourceRetryDelay = TimeSpan.FromMilliseconds(20),
            SyncWrites = false,
            AgreementInterval = TimeSpan.FromHours(1),
        };
        Host = new VmHost(new TokenVm(TestData.TokenVmId), Store, Source, Options);
        Agreement = Host.Agreement ?? new VmRootAgreement(Host, peers(this));
    }

    public MemoryBlockSource Source { get; } = new();

    public VmStore Store { get; }

    public VmHostOptions Options { get; }

    public VmHost Host { get; }

    public VmRootAgreement Agreement { get; }

    /// <summary>The root every honest node has after <paramref name="height"/>.</summary>
    public Hash32 Honest(ulong height) => _honest[height];

    /// <summary>Appends blocks up to <paramref name="height"/> and waits until the host has applied them.</summary>
    public async Task AdvanceToAsync(ulong height)
    {
        while (Source.Height < height) Source.Add(_blocks[(int)Source.Height]);
        await Host.WaitForHeightAsync(height).WaitAsync(Timeout);
    }

    /// <summary>Overwrites every state value with garbage and adds junk keys, behind the host's back (a bad disk, a stray process).</summary>
    public void CorruptStore()
    {
        var db = Store.Database;
        var state = db.Family("state");
        foreach (var (key, value) in db.Scan(state, []).ToList())
        {
            var garbage = new byte[value.Length];
            Array.Fill(garbage, (byte)0x5A);
            db.Put(state, key, garbage);
        }
        db.Put(state, "junk-key"u8, [1, 2, 3]);
        db.Put(db.Family("tree"), "junk-tree"u8, [4, 5, 6]);
    }

    public bool StoreHas(string family, ReadOnlySpan<byte> key) => Store.Database.Has(Store.Database.Family(family), key);

    public async ValueTask DisposeAsync()
    {
        await Host.DisposeAsync();
        await Agreement.DisposeAsync();
        Store.Dispose();
        _dir.Dispose();
    }
}
