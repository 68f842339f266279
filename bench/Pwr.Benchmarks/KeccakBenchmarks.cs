using BenchmarkDotNet.Attributes;
using Pwr.Core;

namespace Pwr.Benchmarks;

/// <summary>Keccak-256 of a hash-sized input and of a signed-transfer-sized one (~733 bytes).</summary>
[MemoryDiagnoser]
public class KeccakBenchmarks
{
    private byte[] _data = null!;

    [Params(32, 733)]
    public int Size { get; set; }

    [GlobalSetup]
    public void Setup() => _data = BenchmarkData.Bytes(Size, "keccak");

    [Benchmark]
    public Hash32 Keccak256() => Keccak.Hash256(_data);
}
