using BenchmarkDotNet.Attributes;
using Pwr.Core;
using Pwr.LoadGenerator;

namespace Pwr.Benchmarks;

/// <summary>
/// Falcon-512 through BouncyCastle: verifying a signed transfer as admission does (Keccak-256 of the unsigned
/// bytes, then verify), and signing a 32-byte digest as a wallet does. Read the Op/s column for throughput.
/// </summary>
[MemoryDiagnoser]
public class FalconBenchmarks
{
    private Transaction _transfer = null!;
    private byte[] _publicKey = null!;
    private byte[] _digest = null!;
    private FalconKeyPair _key = null!;
    private FalconVerifier _verifier = null!;
    private DistinctSignatureSample _sample = null!;
    private int _next;

    [GlobalSetup]
    public void Setup()
    {
        _key = BenchmarkData.Sender;
        _publicKey = _key.PublicKey;
        if (!TransactionCodec.TryDecode(BenchmarkData.SignedTransfer(), out var tx, out _, out var message))
            throw new InvalidOperationException(message);
        _transfer = tx;
        _verifier = FalconVerifier.TryCreate(_publicKey)!;
        _digest = Keccak.Hash256(tx.Unsigned).ToArray();
        if (!TransactionSignature.Verify(_transfer, _publicKey)) throw new InvalidOperationException("sample transfer does not verify");
        _sample = DistinctSignatureSample.Create();
    }

    [Benchmark]
    public bool VerifyTransfer() => TransactionSignature.Verify(_transfer, _publicKey);

    /// <summary>
    /// The machine's verification rate on all its cores (Op/s = verifications per second): the figure the
    /// end-to-end TPS target is set against. On SMT vCPUs this is well below cores × the single-thread rate.
    /// </summary>
    [Benchmark(OperationsPerInvoke = ParallelBatch)]
    public int VerifyTransferAllCores()
    {
        int ok = 0;
        Parallel.For(0, ParallelBatch, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, _ =>
        {
            if (TransactionSignature.Verify(_transfer, _publicKey)) Interlocked.Increment(ref ok);
        });
        return ok;
    }

    /// <summary>Admission's path: the sender's key prepared once (<see cref="FalconVerifier"/>), then verify.</summary>
    [Benchmark]
    public bool VerifyTransferPreparedKey() => TransactionSignature.Verify(_transfer, _verifier);

    /// <summary>All cores with prepared keys, as the node admits a batch.</summary>
    [Benchmark(OperationsPerInvoke = ParallelBatch)]
    public int VerifyTransferPreparedKeyAllCores()
    {
        int ok = 0;
        Parallel.For(0, ParallelBatch, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, _ =>
        {
            if (TransactionSignature.Verify(_transfer, _verifier)) Interlocked.Increment(ref ok);
        });
        return ok;
    }

    /// <summary>All cores, prepared keys, 2,048 distinct signatures of 32 senders in turn: a node's traffic, where
    /// the branch predictors cannot learn one signature's decoding. The TPS target is set against this one.</summary>
    [Benchmark(OperationsPerInvoke = ParallelBatch)]
    public int VerifyDistinctTransfersAllCores()
    {
        int ok = 0;
        int start = _next;
        _next += ParallelBatch;
        Parallel.For(0, ParallelBatch, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, i =>
        {
            if (_sample.Verify(start + i)) Interlocked.Increment(ref ok);
        });
        return ok;
    }

    private const int ParallelBatch = 2_000;

    [Benchmark]
    public byte[] Sign() => _key.Sign(_digest);
}
