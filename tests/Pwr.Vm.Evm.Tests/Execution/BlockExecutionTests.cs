using System.Diagnostics;
using Pwr.Core;
using Pwr.Vm.Evm.Execution;
using Pwr.Vm.Evm.Numerics;
using Xunit.Abstractions;

namespace Pwr.Vm.Evm.Tests.Execution;

public class BlockExecutionTests(ITestOutputHelper output)
{
    // A minimal token: balance of an address in the slot equal to the address; transfer(to, amount) from calldata,
    // reverting when the caller's balance is short, and a Transfer-like LOG3(amount; topic, from, to).
    private const string TokenCode =
        "3354" + "602035" + "808210" + "604757" + "808203" + "3355" + "600035" + "8054" + "8201" + "9055" + "600052"
        + "600035337f" + "ddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef" + "60206000a3" + "00"
        + "5b600080fd";

    [Fact]
    public void Many_token_transfers_in_one_block_accumulate_and_yield_one_change_set()
    {
        var sender = EvmHarness.Sender;
        var token = EvmHarness.Contract;
        var backend = new InMemoryStateBackend();
        backend.SetAccount(sender, 0, UInt256.Parse("0xffffffffffffffffffff"), []);
        backend.SetAccount(token, 1, UInt256.Zero, Hex.Decode(TokenCode), [new(Evm.Execution.Evm.FromAddress(sender), new UInt256(1_000_000))]);
        var block = new BlockContext { Coinbase = EvmHarness.Coinbase, Number = 1, GasLimit = 1_000_000_000, BaseFee = 7 };
        const int count = 2000;

        var (results, changes, elapsed) = EvmThread.Run(() =>
        {
            var state = new WorldState(backend);
            var processor = new TransactionProcessor(state, block);
            var list = new List<TransactionResult>(count);
            var watch = Stopwatch.StartNew();
            for (int i = 0; i < count; i++)
            {
                var data = new byte[64];
                data[31] = (byte)(1 + i % 50); // 50 recipients 0x..01..0x..32
                data[63] = 3;
                list.Add(processor.Execute(new EvmTransaction
                {
                    Type = 2, Sender = sender, To = token, Nonce = (ulong)i, GasLimit = 100_000, MaxFeePerGas = 10, MaxPriorityFeePerGas = 1, Data = data,
                }));
            }
            watch.Stop();
            return (list, state.CollectChanges(), watch.Elapsed);
        });
        output.WriteLine($"{count} token transfers in {elapsed.TotalMilliseconds:F1} ms ({count / elapsed.TotalSeconds:F0} tx/s, one core, first run incl. JIT)");

        Assert.All(results, r => Assert.True(r.Success));
        Assert.All(results, r => Assert.Single(r.Logs));
        backend.Apply(changes);
        Assert.Equal(new UInt256(1_000_000 - 3 * count), backend.GetStorage(token, Evm.Execution.Evm.FromAddress(sender)));
        var firstRecipient = new UInt256(1);
        Assert.Equal(new UInt256(3 * count / 50), backend.GetStorage(token, firstRecipient));
        Assert.True(backend.TryGetAccount(sender, out var senderAccount));
        Assert.Equal((ulong)count, senderAccount.Nonce);
        // Coinbase earns exactly the priority fee (1 per gas) on every transaction's gas.
        Assert.True(backend.TryGetAccount(EvmHarness.Coinbase, out var coinbase));
        Assert.Equal(new UInt256((ulong)results.Sum(r => r.GasUsed)), coinbase.Balance);
    }

    [Fact]
    public void A_transfer_above_the_balance_reverts_and_still_charges_gas()
    {
        var backend = new InMemoryStateBackend();
        backend.SetAccount(EvmHarness.Sender, 0, UInt256.Parse("0xffffffffffff"), []);
        backend.SetAccount(EvmHarness.Contract, 1, UInt256.Zero, Hex.Decode(TokenCode));
        var data = new byte[64];
        data[31] = 1;
        data[63] = 5;
        var result = EvmThread.Run(() =>
        {
            var state = new WorldState(backend);
            var r = new TransactionProcessor(state, new BlockContext { GasLimit = 1_000_000 }).Execute(new EvmTransaction
            {
                Sender = EvmHarness.Sender, To = EvmHarness.Contract, GasLimit = 100_000, GasPrice = 1, Data = data,
            });
            backend.Apply(state.CollectChanges());
            return r;
        });
        Assert.False(result.Success);
        Assert.Empty(result.Logs);
        Assert.True(result.GasUsed > 21_000 && result.GasUsed < 100_000);
    }
}
