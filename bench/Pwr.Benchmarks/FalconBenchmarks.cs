using BenchmarkDotNet.Attributes;
using Pwr.Core;

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

    [GlobalSetup]
    public void Setup()
    {
        _key = BenchmarkData.Sender;
        _publicKey = _key.PublicKey;
        if (!TransactionCodec.TryDecode(BenchmarkData.SignedTransfer(), out var tx, out _, out var message))
            throw new InvalidOperationException(message);
        _transfer = tx;
        _digest = Keccak.Hash256(tx.Unsigned).ToArray();
        if (!TransactionSignature.Verify(_transfer, _publicKey)) throw new InvalidOperationException("sample transfer does not verify");
    }

    [Benchmark]
    public bool VerifyTransfer() => TransactionSignature.Verify(_transfer, _publicKey);

    [Benchmark]
    public byte[] Sign() => _key.Sign(_digest);
}
