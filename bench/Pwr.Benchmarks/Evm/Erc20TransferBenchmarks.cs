using System.Numerics;
using BenchmarkDotNet.Attributes;
using Pwr.Core;
using Pwr.Vm.Evm.Execution;
using Pwr.Vm.Evm.Numerics;
using Pwr.Vm.Evm.Transactions;

namespace Pwr.Benchmarks.Evm;

/// <summary>Signed ERC-20 transfer transactions (PwrToken from bench/evm) executed one after another through
/// TransactionProcessor on one core, including state access (accounts and slots loaded from the backend, nonce
/// and fee bookkeeping, the block's change set). One operation = one transfer; Op/s is transfers per second.</summary>
[MemoryDiagnoser]
public class Erc20TransferBenchmarks
{
    private const int Transfers = 1000;
    private static readonly byte[] PrivateKey = Enumerable.Repeat((byte)0x42, 32).ToArray();

    private InMemoryStateBackend _backend = null!;
    private byte[][] _encoded = null!;
    private EvmTransaction[] _decoded = null!;

    [GlobalSetup]
    public void Setup()
    {
        var first = Sign(1, Address.Zero);
        if (!TransactionDecoder.TryDecode(first, 1, out var probe, out var failure))
            throw new InvalidOperationException($"signing probe failed: {failure}");
        var sender = probe.Sender;

        // PwrToken(2^128) from the sender: the sender holds the whole supply. Deployment uses nonce 0.
        var creation = EvmBenchData.TokenCreationCode().Concat(new UInt256(0, 1).ToBigEndian()).ToArray();
        (_backend, var token) = EvmBenchData.Deploy(creation, sender);

        _encoded = new byte[Transfers][];
        _decoded = new EvmTransaction[Transfers];
        for (int i = 0; i < Transfers; i++)
        {
            _encoded[i] = Sign((ulong)(i + 1), token, Transfer(i));
            _decoded[i] = Decode(_encoded[i]);
        }

        // Every transfer must succeed, or the numbers measure reverts.
        var state = new WorldState(_backend);
        var processor = new TransactionProcessor(state, EvmBenchData.Block);
        foreach (var tx in _decoded)
        {
            var result = processor.Execute(tx);
            if (!result.Success) throw new InvalidOperationException($"transfer {tx.Nonce} failed: {result.ErrorMessage}");
        }
    }

    /// <summary>Execution only: senders already recovered (as after the mempool's signature check).</summary>
    [Benchmark(OperationsPerInvoke = Transfers)]
    public long ExecuteTransfers()
    {
        var state = new WorldState(_backend);
        var processor = new TransactionProcessor(state, EvmBenchData.Block);
        long gas = 0;
        foreach (var tx in _decoded) gas += processor.Execute(tx).GasUsed;
        // The block's change set is built but not applied, so the next invocation starts at the same nonce.
        state.CollectChanges();
        return gas;
    }

    /// <summary>Decode and recover the sender (secp256k1) for each raw transaction, then execute it.</summary>
    [Benchmark(OperationsPerInvoke = Transfers)]
    public long DecodeRecoverAndExecuteTransfers()
    {
        var state = new WorldState(_backend);
        var processor = new TransactionProcessor(state, EvmBenchData.Block);
        long gas = 0;
        foreach (var raw in _encoded) gas += processor.Execute(Decode(raw)).GasUsed;
        state.CollectChanges();
        return gas;
    }

    // transfer(address(0x10000 + i), 1): a fresh recipient slot per transaction.
    private static byte[] Transfer(int i)
    {
        var data = new byte[4 + 64];
        Hex.Decode("0xa9059cbb").CopyTo(data, 0);
        new UInt256((ulong)(0x10000 + i)).WriteBigEndian(data.AsSpan(4, 32));
        new UInt256(1).WriteBigEndian(data.AsSpan(36, 32));
        return data;
    }

    private static byte[] Sign(ulong nonce, Address to, byte[]? data = null) => TransactionSigner.Sign(new UnsignedTransaction
    {
        Type = EthereumTransactionType.DynamicFee, ChainId = 1, Nonce = nonce, GasLimit = 100_000, To = to,
        MaxFeePerGas = 1_000_000_000, MaxPriorityFeePerGas = 1_000_000_000, Value = BigInteger.Zero, Data = data ?? [],
    }, PrivateKey);

    private static EvmTransaction Decode(byte[] raw)
    {
        if (!TransactionDecoder.TryDecode(raw, 1, out var t, out var failure))
            throw new InvalidOperationException($"decode failed: {failure}");
        return new EvmTransaction
        {
            Type = (byte)t.Type, Sender = t.Sender, To = t.To, Nonce = t.Nonce, GasLimit = (long)t.GasLimit,
            GasPrice = UInt256.FromBigInteger(t.GasPrice), MaxFeePerGas = UInt256.FromBigInteger(t.MaxFeePerGas),
            MaxPriorityFeePerGas = UInt256.FromBigInteger(t.MaxPriorityFeePerGas), Value = UInt256.FromBigInteger(t.Value),
            Data = t.Data,
        };
    }
}
