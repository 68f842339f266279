using Pwr.Core;
using Pwr.Vm.Evm.Execution;
using Pwr.Vm.Evm.Numerics;
using Pwr.Vm.Evm.Tests.Execution;
using Pwr.Vm.Evm.Tracing;

namespace Pwr.Vm.Evm.Tests.Tracing;

public class AccessListTracerTests
{
    private static readonly Address Callee = Address.Parse("0x00000000000000000000000000000000000000b0");
    private static readonly Address Probed = Address.Parse("0x000000000000000000000000000000000000beef");
    private static readonly Address Identity = Address.Parse("0x0000000000000000000000000000000000000004");

    [Fact]
    public void Lists_slots_and_named_addresses_even_in_reverted_frames_but_not_the_sender_recipient_or_precompiles()
    {
        // SLOAD 5, BALANCE(beef), BALANCE(sender), STATICCALL identity, CALL the callee (SLOAD 9, then REVERT), STOP.
        var code = new Asm().Push(5).Op(0x54, 0x50).Push(Probed).Op(0x31, 0x50).Push(EvmHarness.Sender).Op(0x31, 0x50)
            .Call(0xfa, 1_000, Identity).Call(0xf1, 50_000, Callee).Op(0x00).Build();
        var h = new EvmHarness().WithCode(Convert.ToHexString(code));
        h.Backend.SetAccount(Callee, 1, UInt256.Zero, [0x60, 0x09, 0x54, 0x60, 0x00, 0x80, 0xfd]);
        var tracer = new AccessListTracer();
        var tx = new EvmTransaction { Sender = EvmHarness.Sender, To = EvmHarness.Contract, GasLimit = 200_000, GasPrice = 1 };
        var result = EvmThread.Run(() => new TransactionProcessor(new WorldState(h.Backend), h.Block) { AccessList = tracer }.Execute(tx));

        Assert.True(result.Success);
        var list = tracer.AccessList();
        Assert.Equal([Callee, Probed, EvmHarness.Contract], list.Select(e => e.Address).OrderBy(a => a));
        Assert.Equal([new UInt256(5)], list.Single(e => e.Address == EvmHarness.Contract).StorageKeys);
        Assert.Equal([new UInt256(9)], list.Single(e => e.Address == Callee).StorageKeys);
        Assert.Empty(list.Single(e => e.Address == Probed).StorageKeys);

        // A second round seeded with the list finds the same list. The list costs 3 x 2400 + 2 x 1900 up front and saves
        // 2500 per cold account (callee, beef) and 2000 per cold slot; the recipient was warm anyway: 2000 more in all.
        var again = new AccessListTracer(list);
        var withList = EvmThread.Run(() => new TransactionProcessor(new WorldState(h.Backend), h.Block) { AccessList = again }
            .Execute(tx with { Type = 1, AccessList = list }));
        Assert.True(AccessListTracer.SameList(list, again.AccessList()));
        Assert.Equal(result.GasUsed + 2_000, withList.GasUsed);
    }
}
