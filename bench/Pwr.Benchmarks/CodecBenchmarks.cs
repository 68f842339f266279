using BenchmarkDotNet.Attributes;
using Pwr.Core;

namespace Pwr.Benchmarks;

/// <summary>Decoding a signed transfer off the wire (includes Keccak-256 of the raw bytes for the tx hash).</summary>
[MemoryDiagnoser]
public class CodecBenchmarks
{
    private byte[] _transfer = null!;

    [GlobalSetup]
    public void Setup() => _transfer = BenchmarkData.SignedTransfer();

    [Benchmark]
    public Transaction DecodeTransfer()
        => TransactionCodec.TryDecode(_transfer, out var tx, out _, out _) ? tx : throw new InvalidOperationException("sample transfer did not decode");
}
