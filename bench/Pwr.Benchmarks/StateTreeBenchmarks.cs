using BenchmarkDotNet.Attributes;
using Pwr.Core;
using Pwr.Storage;

namespace Pwr.Benchmarks;

/// <summary>
/// One block's ledger commit: 1,000 changed accounts (20-byte address keys) in a tree of 100,000, through
/// Prepare, Stage, an unsynced Write of the batch (so the next iteration sees the data, as in a node) and Commit.
/// </summary>
[MemoryDiagnoser]
public class StateTreeBenchmarks
{
    private const int TreeSize = 100_000;
    private const int ChangedAccounts = 1_000;

    private string _path = null!;
    private KeyValueStore _store = null!;
    private StateTree _tree = null!;
    private byte[][] _keys = null!;
    private Random _random = null!;
    private ulong _round;

    [GlobalSetup]
    public void Setup()
    {
        _path = Path.Combine(Path.GetTempPath(), "pwr-bench-statetree-" + Guid.NewGuid().ToString("N"));
        _store = KeyValueStore.Open(_path, "entries", "buckets");
        _tree = new StateTree(_store, _store.Family("entries"), _store.Family("buckets"));
        var random = new Random(100_000);
        _keys = new byte[TreeSize][];
        var initial = new Dictionary<byte[], byte[]?>(ByteArrayComparer.Instance);
        for (int i = 0; i < TreeSize; i++)
        {
            _keys[i] = new byte[Address.Size];
            random.NextBytes(_keys[i]);
            initial[_keys[i]] = AccountValue((ulong)i, 0);
        }
        Apply(initial);
        _random = new Random(1);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _store.Dispose();
        Directory.Delete(_path, recursive: true);
    }

    [Benchmark]
    public Hash32 Commit1000ChangedAccounts()
    {
        _round++;
        var changes = new Dictionary<byte[], byte[]?>(ChangedAccounts, ByteArrayComparer.Instance);
        while (changes.Count < ChangedAccounts)
            changes[_keys[_random.Next(TreeSize)]] = AccountValue(_round, _round);
        return Apply(changes);
    }

    private Hash32 Apply(Dictionary<byte[], byte[]?> changes)
    {
        var prepared = _tree.Prepare(changes);
        using var batch = _store.CreateBatch();
        _tree.Stage(prepared, batch);
        _store.Write(batch, sync: false);
        _tree.Commit(prepared);
        return _tree.Root;
    }

    // Balance u64 ‖ nonce u32: the shape of a ledger account record.
    private static byte[] AccountValue(ulong balance, ulong nonce)
    {
        var value = new byte[12];
        var w = new BigEndianWriter(value);
        w.WriteU64(balance);
        w.WriteU32((uint)nonce);
        return value;
    }
}
