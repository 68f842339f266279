using Pwr.Core;
using Pwr.Vm.Evm.Execution;
using Pwr.Vm.Evm.Numerics;

namespace Pwr.Vm.Evm.Tests.Execution;

/// <summary>Runs one transaction against a small in-memory state: a funded sender and a contract holding the code.</summary>
internal sealed class EvmHarness
{
    public static readonly Address Sender = Address.Parse("0xa94f5374fce5edbc8e2a8697c15331677e6ebf0b");
    public static readonly Address Contract = Address.Parse("0xc0de00000000000000000000000000000000c0de");
    public static readonly Address Coinbase = Address.Parse("0x2adc25665018aa1fe0e6bc666dac8fc2697ff9ba");

    public InMemoryStateBackend Backend { get; } = new();
    public BlockContext Block { get; init; } = new() { Coinbase = Coinbase, Number = 1, Timestamp = 1000, GasLimit = 30_000_000 };

    /// <summary>Interpret (the default here) or compile contract code; Auto compiles after enough gas, in the background.</summary>
    public EvmCompilePolicy CompilePolicy { get; init; } = EvmCompilePolicy.Off;

    /// <summary>Code kept across calls, as a node keeps it across blocks.</summary>
    public CodeInfoCache Codes { get; } = new();

    public EvmHarness()
    {
        Backend.SetAccount(Sender, 0, UInt256.Parse("0xffffffffffffffffff"), []);
    }

    public EvmHarness WithCode(string hexCode, params (ulong Slot, ulong Value)[] storage)
    {
        Backend.SetAccount(Contract, 1, UInt256.Zero, Hex.Decode(hexCode),
            storage.Select(s => new KeyValuePair<UInt256, UInt256>(s.Slot, s.Value)));
        return this;
    }

    public TransactionResult Call(long gasLimit = 200_000, byte[]? data = null, UInt256 value = default, ulong nonce = 0) =>
        Execute(new EvmTransaction { Sender = Sender, To = Contract, Nonce = nonce, GasLimit = gasLimit, GasPrice = 1, Value = value, Data = data ?? [] });

    public TransactionResult Execute(EvmTransaction tx) => EvmThread.Run(() =>
    {
        var state = new WorldState(Backend, Codes);
        var result = new TransactionProcessor(state, Block) { CompilePolicy = CompilePolicy }.Execute(tx);
        Backend.Apply(state.CollectChanges());
        return result;
    });

    public UInt256 Storage(ulong slot, Address? address = null) => Backend.GetStorage(address ?? Contract, slot);

    public AccountState? Account(Address address) => Backend.TryGetAccount(address, out var a) ? a : null;
}
