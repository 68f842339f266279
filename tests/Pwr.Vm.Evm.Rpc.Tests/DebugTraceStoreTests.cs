using System.Text;
using System.Text.Json;
using Pwr.Core;
using Pwr.Vm.Evm.Transactions;
using Pwr.Vm.Evm.Vm;

namespace Pwr.Vm.Evm.Rpc.Tests;

/// <summary>debug_trace* through the handler over a VM store whose blocks the test writes itself: skipped inner
/// transactions, deep call trees and malformed parameters, without a devnet.</summary>
public sealed class DebugTraceStoreTests : IDisposable
{
    private static readonly object CallTracer = new { tracer = "callTracer" };
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "pwr-evm-trace-" + Guid.NewGuid().ToString("N"));
    private readonly VmStore _store;
    private readonly EvmVm _vm = new(2);
    private readonly EvmRpcHandler _handler;
    private ulong _height;

    public DebugTraceStoreTests()
    {
        _store = VmStore.Open(_dir);
        _handler = new EvmRpcHandler(_store, _vm.Options, new EvmRpcOptions { PwrNode = new Uri("http://127.0.0.1:1"), WrapperKey = DevnetKeys.Account(8), EvmVmId = 2 },
            (_, _) => { });
    }

    public void Dispose()
    {
        _store.Dispose();
        if (Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true);
    }

    private static byte[] Sign(ulong nonce, Address? to, string data = "", ulong gas = 200_000, byte[]? key = null, ulong value = 0)
        => TransactionSigner.Sign(new UnsignedTransaction
        {
            Type = EthereumTransactionType.DynamicFee,
            ChainId = 31337,
            Nonce = nonce,
            MaxFeePerGas = 3_000_000_000,
            MaxPriorityFeePerGas = 1_000_000_000,
            GasLimit = gas,
            To = to,
            Data = Hex.Decode(data),
            Value = value,
        }, key ?? AnvilAccounts.PrivateKey(0));

    /// <summary>Account 0's CREATE address at <paramref name="nonce"/> (below 0x80): keccak(rlp([sender, nonce]))[12:].</summary>
    private static Address Created(ulong nonce)
    {
        byte[] rlp = [0xd6, 0x94, .. AnvilAccounts.Addresses[0].ToArray(), nonce == 0 ? (byte)0x80 : (byte)nonce];
        return new Address(Keccak.Hash256(rlp).ToArray().AsSpan(12));
    }

    private static string Deployer(string runtime)
    {
        string length = (runtime.Length / 2).ToString("x2", System.Globalization.CultureInfo.InvariantCulture);
        return "60" + length + "600c600039" + "60" + length + "6000f3" + runtime;
    }

    /// <summary>Executes one block carrying <paramref name="transactions"/> in one VmData payload.</summary>
    private void Block(params byte[][] transactions)
    {
        _height++;
        var payload = EvmPayload.Encode(transactions);
        var vmTx = new VmTransaction(Address.Zero, 0, payload, Keccak.Hash256(payload), 0);
        _store.ApplyBlock(_vm, new VmBlock(_height, _height * 1000, Keccak.Hash256(BitConverter.GetBytes(_height)), [vmTx]));
    }

    private JsonElement Call(string method, params object?[] parameters)
    {
        var body = JsonSerializer.Serialize(new { jsonrpc = "2.0", id = 1, method, @params = parameters });
        // Deep call trees nest deeper than JsonDocument's default of 64 levels.
        using var response = JsonDocument.Parse(_handler.Handle(Encoding.UTF8.GetBytes(body)), new JsonDocumentOptions { MaxDepth = 4096 });
        return response.RootElement.Clone();
    }

    private JsonElement Result(string method, params object?[] parameters)
    {
        var response = Call(method, parameters);
        Assert.False(response.TryGetProperty("error", out var error), $"{method}: {error}");
        return response.GetProperty("result");
    }

    private static string Hash(byte[] raw) => Keccak.Hash256(raw).ToString();

    [Fact]
    public void Block_trace_replays_around_a_skipped_transaction_and_matches_every_receipt()
    {
        // Counter: slot 0 += 1. Deploy, a transaction the VM skips (nonce too high), then two increments in one block.
        var counter = Created(0);
        byte[] deploy = Sign(0, null, Deployer("600054600101600055" + "00")), skipped = Sign(9, counter), first = Sign(1, counter), second = Sign(2, counter);
        Block(deploy, skipped, first, second);

        var traces = Result("debug_traceBlockByNumber", "0x1", CallTracer);
        Assert.Equal([Hash(deploy), Hash(first), Hash(second)], traces.EnumerateArray().Select(t => t.GetProperty("txHash").GetString()));
        foreach (var traced in traces.EnumerateArray())
        {
            var receipt = Result("eth_getTransactionReceipt", traced.GetProperty("txHash").GetString());
            Assert.Equal(receipt.GetProperty("gasUsed").GetString(), traced.GetProperty("result").GetProperty("gasUsed").GetString());
        }
        var create = traces[0].GetProperty("result");
        Assert.Equal("CREATE", create.GetProperty("type").GetString());
        Assert.Equal(counter.ToString(), create.GetProperty("to").GetString());
        Assert.Equal("0x600054600101600055" + "00", create.GetProperty("output").GetString());
        // 0 -> 1 costs a fresh slot, 1 -> 2 does not: the second's trace is right only if the first was replayed.
        Assert.NotEqual(traces[1].GetProperty("result").GetProperty("gasUsed").GetString(), traces[2].GetProperty("result").GetProperty("gasUsed").GetString());
        Assert.Equal(traces[2].GetProperty("result").ToString(), Result("debug_traceTransaction", Hash(second), CallTracer).ToString());
        Assert.Equal("transaction not found", Call("debug_traceTransaction", Hash(skipped), CallTracer).GetProperty("error").GetProperty("message").GetString());
    }

    [Fact]
    public void Block_trace_replays_a_deposit_where_the_vm_applied_it()
    {
        // A fresh key holds nothing until a PWR deposit lands between two transactions of the block; its own
        // transaction after the deposit executes only if the replay credits the deposit at the same place.
        var key = Keccak.Hash256("pwr trace deposit"u8).ToArray();
        var receiver = AnvilAccounts.Addresses[2];
        byte[] before = Sign(0, receiver), spend = Sign(0, receiver, key: key, gas: 21_000, value: 1_000);
        Assert.True(TransactionDecoder.TryDecode(spend, 31337, out var decoded, out _));
        var fresh = decoded.Sender;

        _height++;
        byte[] first = EvmPayload.Encode([before]), second = EvmPayload.Encode([spend]);
        var deposit = fresh.ToArray();
        _store.ApplyBlock(_vm, new VmBlock(_height, _height * 1000, Keccak.Hash256(BitConverter.GetBytes(_height)),
        [
            new VmTransaction(Address.Zero, 0, first, Keccak.Hash256(first), 0),
            new VmTransaction(Address.Zero, 1_000_000, deposit, Keccak.Hash256(deposit), 1),
            new VmTransaction(Address.Zero, 0, second, Keccak.Hash256(second), 2),
        ]));
        Assert.Equal("0x1", Result("eth_getTransactionReceipt", Hash(spend)).GetProperty("status").GetString());

        var traces = Result("debug_traceBlockByNumber", "0x1", CallTracer);
        Assert.Equal([Hash(before), Hash(spend)], traces.EnumerateArray().Select(t => t.GetProperty("txHash").GetString()));
        var traced = Result("debug_traceTransaction", Hash(spend), CallTracer);
        Assert.Equal(fresh.ToString(), traced.GetProperty("from").GetString());
        Assert.Equal("0x3e8", traced.GetProperty("value").GetString());
        Assert.Equal("0x5208", traced.GetProperty("gasUsed").GetString());
    }

    [Fact]
    public void A_call_tree_as_deep_as_gas_allows_is_traced_to_the_bottom()
    {
        // PUSH1 0, DUP1 x4, ADDRESS, GAS, CALL, STOP: calls itself with all it may pass on until the 63/64 rule starves it.
        var recursive = Created(0);
        var call = Sign(1, recursive, gas: 30_000_000);
        Block(Sign(0, null, Deployer("6000808080803046f100".Replace("46", "5a", StringComparison.Ordinal))), call);

        var frame = Result("debug_traceTransaction", Hash(call), CallTracer);
        int depth = 0;
        while (frame.TryGetProperty("calls", out var calls))
        {
            frame = Assert.Single(calls.EnumerateArray());
            depth++;
        }
        Assert.InRange(depth, 400, 1024);
    }

    [Fact]
    public void Random_trace_requests_are_answered_with_a_result_or_a_client_error()
    {
        Block(Sign(0, AnvilAccounts.Addresses[1]));
        string[] methods = ["debug_traceTransaction", "debug_traceBlockByNumber", "debug_traceBlockByHash", "debug_traceCall"];
        object?[] values =
        [
            null, 0, true, "", "0x", "0x0", "0x1", "0xzz", "latest", "earliest", "0x" + new string('f', 64), Hash(Sign(0, AnvilAccounts.Addresses[1])),
            new { }, CallTracer, new { tracer = "callTracer", tracerConfig = new { onlyTopCall = true, withLog = true } }, new { tracer = 5 },
            new { tracer = "callTracer", tracerConfig = 7 }, new { tracer = "prestateTracer" }, new { to = "0x12" }, new { to = AnvilAccounts.AddressStrings[1] },
            new object[] { },
        ];
        var random = new Random(4321);
        for (int i = 0; i < 1000; i++)
        {
            var parameters = Enumerable.Range(0, random.Next(0, 4)).Select(_ => values[random.Next(values.Length)]).ToArray();
            var response = Call(methods[random.Next(methods.Length)], parameters);
            Assert.True(response.TryGetProperty("result", out _) || response.TryGetProperty("error", out _));
            if (response.TryGetProperty("error", out var error)) Assert.NotEqual(-32603, error.GetProperty("code").GetInt32());
        }
    }
}
