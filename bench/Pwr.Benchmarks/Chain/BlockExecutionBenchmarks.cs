using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.Logging.Abstractions;
using Pwr.Chain;
using Pwr.Consensus;
using Pwr.Core;

namespace Pwr.Benchmarks.Chain;

/// <summary>
/// One block of pre-admitted signed transfers from the ten dev accounts: proposal (mempool snapshot, execution,
/// ledger root), precommit signature, and the atomic fsync'd commit of block, indexes and state.
/// Admission (signature checks) is outside the measurement; throughput = Transactions / mean.
/// </summary>
[MemoryDiagnoser]
public class BlockExecutionBenchmarks
{
    [Params(2_000, 10_000)]
    public int Transactions { get; set; }

    private List<byte[]> _signed = [];
    private string _dir = "";
    private ChainApplication? _chain;
    private SingleValidatorEngine? _engine;

    [GlobalSetup]
    public void Sign()
    {
        var chainOptions = new ChainOptions();
        int perSender = Transactions / DevnetKeys.AccountCount;
        var perAccount = new List<byte[]>[DevnetKeys.AccountCount];
        Parallel.For(0, DevnetKeys.AccountCount, i =>
        {
            var key = DevnetKeys.Account(i);
            var to = DevnetKeys.Account((i + 1) % DevnetKeys.AccountCount).Address;
            perAccount[i] = Enumerable.Range(0, perSender)
                .Select(n => TransactionBuilder.Sign(TransactionBuilder.Transfer(chainOptions.ChainId, (uint)n, chainOptions.MinFeePerByte, key.Address, to, 1), key))
                .ToList();
        });
        _signed = perAccount.SelectMany(l => l).ToList();
    }

    [IterationSetup]
    public void Admit()
    {
        _dir = Path.Combine(Path.GetTempPath(), "pwr-bench-block-" + Guid.NewGuid().ToString("N"));
        _chain = new ChainApplication(_dir, Genesis.Devnet([1]), new ChainOptions(), TimeProvider.System, NullLogger<ChainApplication>.Instance);
        _engine = new SingleValidatorEngine(_chain, DevnetKeys.Validator(), new ConsensusOptions(), TimeProvider.System, NullLogger<SingleValidatorEngine>.Instance);
        foreach (var raw in _signed)
            if (!_chain.CheckTx(raw).Accepted) throw new InvalidOperationException("benchmark transaction refused");
    }

    [Benchmark]
    public int ProduceBlock()
    {
        var block = _engine!.ProduceBlock();
        if (block.Transactions.Count != Transactions) throw new InvalidOperationException($"block holds {block.Transactions.Count} txs");
        return block.Transactions.Count;
    }

    [IterationCleanup]
    public void Cleanup()
    {
        _chain!.Dispose();
        Directory.Delete(_dir, recursive: true);
    }
}
