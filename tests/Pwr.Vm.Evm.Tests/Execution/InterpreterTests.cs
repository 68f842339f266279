using Pwr.Core;
using Pwr.Vm.Evm.Execution;
using Pwr.Vm.Evm.Numerics;

namespace Pwr.Vm.Evm.Tests.Execution;

public class InterpreterTests
{
    [Fact]
    public void Add_then_sstore_to_a_cold_empty_slot_costs_intrinsic_plus_opcodes_plus_2100_plus_20000()
    {
        // PUSH1 2 PUSH1 3 ADD PUSH1 0 SSTORE STOP
        var h = new EvmHarness().WithCode("600260030160005500");
        var result = h.Call();
        Assert.True(result.Success);
        Assert.Equal(new UInt256(5), h.Storage(0));
        Assert.Equal(21000 + 3 + 3 + 3 + 3 + 2100 + 20000, result.GasUsed);
    }

    [Fact]
    public void Mstore_charges_three_gas_per_new_memory_word()
    {
        // PUSH1 1 PUSH1 0 MSTORE STOP: 3 + 3 + 3 + 3 (one word of memory)
        var result = new EvmHarness().WithCode("600160005200").Call();
        Assert.Equal(21000 + 12, result.GasUsed);
    }

    [Fact]
    public void Revert_undoes_storage_but_returns_unused_gas_and_data()
    {
        // SSTORE(0, 1); MSTORE(0, 0x2a); REVERT(0, 32)
        var h = new EvmHarness().WithCode("6001600055602a60005260206000fd");
        var result = h.Call(gasLimit: 100_000);
        Assert.False(result.Success);
        Assert.Equal(UInt256.Zero, h.Storage(0));
        Assert.True(result.GasUsed < 100_000);
        Assert.Equal(new UInt256(0x2a), new UInt256(result.Output));
    }

    [Fact]
    public void Invalid_opcode_consumes_all_gas()
    {
        var result = new EvmHarness().WithCode("6001600055fe").Call(gasLimit: 100_000);
        Assert.False(result.Success);
        Assert.Equal(100_000, result.GasUsed);
    }

    [Fact]
    public void Stack_underflow_is_an_exceptional_halt()
    {
        var result = new EvmHarness().WithCode("01").Call(gasLimit: 50_000);
        Assert.False(result.Success);
        Assert.Equal(50_000, result.GasUsed);
    }

    [Fact]
    public void Jump_into_push_data_fails()
    {
        // PUSH1 3 JUMP PUSH1 0x5b: offset 3 is a 0x5b byte inside PUSH data, not a JUMPDEST.
        var result = new EvmHarness().WithCode("600356605b00").Call(gasLimit: 50_000);
        Assert.False(result.Success);
    }

    [Fact]
    public void Jump_to_a_jumpdest_continues_there()
    {
        // PUSH1 4 JUMP INVALID JUMPDEST PUSH1 7 PUSH1 0 SSTORE
        var h = new EvmHarness().WithCode("600456fe5b6007600055");
        Assert.True(h.Call().Success);
        Assert.Equal(new UInt256(7), h.Storage(0));
    }

    [Fact]
    public void Clearing_a_slot_refunds_4800_capped_at_a_fifth_of_gas_used()
    {
        // SSTORE(0, 0) on original 1: 2100 cold + 2900 reset, refund 4800.
        var h = new EvmHarness().WithCode("6000600055", (0, 1));
        var result = h.Call();
        long used = 21000 + 3 + 3 + 2100 + 2900;
        Assert.Equal(used - Math.Min(4800, used / 5), result.GasUsed);
        Assert.Equal(UInt256.Zero, h.Storage(0));
    }

    [Fact]
    public void Transient_storage_is_visible_within_the_transaction_and_gone_after()
    {
        // TSTORE(1, 9); SSTORE(0, TLOAD(1))
        var h = new EvmHarness().WithCode("600960015d60015c60005500");
        Assert.True(h.Call().Success);
        Assert.Equal(new UInt256(9), h.Storage(0));
        // Second transaction: only SSTORE(0, TLOAD(1)) path again would read 0; run code that just copies.
        var h2 = new EvmHarness().WithCode("60015c60005500", (0, 5));
        Assert.True(h2.Call().Success);
        Assert.Equal(UInt256.Zero, h2.Storage(0));
    }

    [Fact]
    public void Push0_pushes_zero_for_two_gas()
    {
        // PUSH0 PUSH0 SSTORE: writes 0 over 0 (warm-read cost after the cold access)
        var result = new EvmHarness().WithCode("5f5f5500").Call();
        Assert.Equal(21000 + 2 + 2 + 2100 + 100, result.GasUsed);
    }

    [Fact]
    public void Mcopy_copies_overlapping_ranges_like_memmove()
    {
        // MSTORE(0, 0x0102..), MCOPY(1, 0, 31), SSTORE(0, MLOAD(0))
        var h = new EvmHarness().WithCode(
            "7f0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20600052" + "601f60006001" + "5e" + "600051600055");
        Assert.True(h.Call().Success);
        Assert.Equal(UInt256.Parse("0x01" + "0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"), h.Storage(0));
    }

    [Fact]
    public void Create_transaction_deploys_the_returned_code_at_the_rlp_derived_address()
    {
        var h = new EvmHarness();
        // init code: MSTORE8(0, 0x00 STOP); RETURN(0, 1) deploys the single byte 0x00.
        var result = h.Execute(new EvmTransaction { Sender = EvmHarness.Sender, GasLimit = 100_000, GasPrice = 1, Data = Hex.Decode("600060005360016000f3") });
        Assert.True(result.Success);
        var expected = Address.Parse("0x" + Convert.ToHexStringLower(Keccak.Hash256(Hex.Decode("d694a94f5374fce5edbc8e2a8697c15331677e6ebf0b80")).ToArray()[12..]));
        Assert.Equal(expected, result.ContractAddress);
        Assert.Equal(1UL, h.Account(expected)!.Value.Nonce);
        Assert.Equal(1UL, h.Account(EvmHarness.Sender)!.Value.Nonce);
    }

    [Fact]
    public void Deploying_code_that_starts_with_0xef_fails()
    {
        var h = new EvmHarness();
        // MSTORE8(0, 0xef); RETURN(0, 1)
        var result = h.Execute(new EvmTransaction { Sender = EvmHarness.Sender, GasLimit = 100_000, GasPrice = 1, Data = Hex.Decode("60ef60005360016000f3") });
        Assert.False(result.Success);
        Assert.Equal(100_000, result.GasUsed);
    }

    [Fact]
    public void Selfdestruct_of_an_old_contract_moves_the_balance_but_keeps_the_account()
    {
        var h = new EvmHarness();
        h.Backend.SetAccount(EvmHarness.Contract, 1, new UInt256(1000), Hex.Decode("6000ff"));
        var result = h.Call();
        Assert.True(result.Success);
        var contract = h.Account(EvmHarness.Contract);
        Assert.NotNull(contract);
        Assert.Equal(UInt256.Zero, contract.Value.Balance);
        Assert.NotEqual(AccountState.EmptyCodeHash, contract.Value.CodeHash);
        Assert.Equal(new UInt256(1000), h.Account(new Address(new byte[20]))!.Value.Balance);
    }

    [Fact]
    public void Zero_value_call_to_an_existing_empty_account_deletes_it()
    {
        var empty = Address.Parse("0x00000000000000000000000000000000000000e0");
        var h = new EvmHarness();
        h.Backend.SetAccount(empty, 0, UInt256.Zero, []);
        // CALL(gas, 0xe0, 0, 0, 0, 0, 0)
        h.WithCode("6000600060006000600060e061fffff100");
        Assert.True(h.Call().Success);
        Assert.Null(h.Account(empty));
    }

    [Fact]
    public void Static_call_cannot_write_storage()
    {
        var callee = Address.Parse("0x00000000000000000000000000000000000000c1");
        var h = new EvmHarness().WithCode("600060006000600060c161fffffa60005500"); // STATICCALL then SSTORE(0, success)
        h.Backend.SetAccount(callee, 1, UInt256.Zero, Hex.Decode("6001600055"));
        Assert.True(h.Call().Success);
        Assert.Equal(UInt256.Zero, h.Storage(0));
        Assert.Equal(UInt256.Zero, h.Storage(0, callee));
    }

    [Fact]
    public void Nonce_mismatch_is_rejected_without_state_change()
    {
        var h = new EvmHarness().WithCode("00");
        var result = h.Call(nonce: 5);
        Assert.Equal(TransactionError.NonceMismatch, result.Error);
        Assert.Equal(0UL, h.Account(EvmHarness.Sender)!.Value.Nonce);
    }

    [Fact]
    public void Gas_below_intrinsic_is_rejected()
    {
        Assert.Equal(TransactionError.IntrinsicGasTooLow, new EvmHarness().WithCode("00").Call(gasLimit: 20_999).Error);
    }

    [Fact]
    public void Blob_transactions_are_rejected_with_a_reason()
    {
        var result = new EvmHarness().WithCode("00").Execute(new EvmTransaction
        {
            Type = 3, Sender = EvmHarness.Sender, To = EvmHarness.Contract, GasLimit = 100_000, MaxFeePerGas = 1,
        });
        Assert.Equal(TransactionError.BlobTransactionsUnsupported, result.Error);
        Assert.Contains("blob", result.ErrorMessage);
    }

    [Fact]
    public void Coinbase_receives_only_the_priority_fee()
    {
        var h = new EvmHarness { Block = new BlockContext { Coinbase = EvmHarness.Coinbase, Number = 1, GasLimit = 30_000_000, BaseFee = 10 } }.WithCode("00");
        var result = h.Execute(new EvmTransaction
        {
            Type = 2, Sender = EvmHarness.Sender, To = EvmHarness.Contract, GasLimit = 50_000, MaxFeePerGas = 20, MaxPriorityFeePerGas = 3,
        });
        Assert.True(result.Success);
        Assert.Equal(new UInt256(21000 * 3), h.Account(EvmHarness.Coinbase)!.Value.Balance);
    }
}
