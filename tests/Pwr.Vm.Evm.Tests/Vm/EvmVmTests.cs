using Pwr.Core;
using Pwr.Vm.Evm.Execution;
using Pwr.Vm.Evm.Numerics;
using Pwr.Vm.Evm.Vm;

namespace Pwr.Vm.Evm.Tests.Vm;

public class EvmVmTests
{
    private static readonly Address Bob = Address.Parse("0x000000000000000000000000000000000000b0b0");

    [Fact]
    public void Anvil_private_keys_derive_the_listed_addresses()
    {
        for (int i = 0; i < 10; i++)
            Assert.Equal(AnvilAccounts.Addresses[i], Secp256k1.EthereumAddressOfPrivateKey(AnvilAccounts.PrivateKey(i)));
    }

    [Fact]
    public void Genesis_funds_the_anvil_accounts_and_its_root_equals_a_from_scratch_root()
    {
        using var f = new EvmVmFixture();
        var root = f.Apply();

        var state = f.Chain.LatestState();
        foreach (var a in AnvilAccounts.Addresses)
        {
            Assert.True(state.TryGetAccount(a, out var account));
            Assert.Equal(AnvilAccounts.GenesisBalanceWei, account.Balance.ToBigInteger());
        }
        var expected = new InMemoryStateBackend();
        foreach (var a in AnvilAccounts.Addresses) expected.SetAccount(a, 0, UInt256.FromBigInteger(AnvilAccounts.GenesisBalanceWei), []);
        Assert.Equal(expected.ComputeStateRoot(), root);
        Assert.Equal(0UL, f.Chain.GetBlock(0)!.Number);
        Assert.Equal(1UL, f.Chain.Head);
    }

    [Fact]
    public void Transfer_in_a_payload_moves_value_and_gets_a_receipt()
    {
        using var f = new EvmVmFixture();
        var raw = EvmVmFixture.Sign(0, 0, Bob, 12345, gas: 21000);
        var root = f.Apply(EvmVmFixture.Payload(raw));

        var hash = Keccak.Hash256(raw);
        var receipt = f.Chain.GetReceipt(hash)!;
        Assert.True(receipt.Success);
        Assert.Equal(21000, receipt.GasUsed);
        Assert.Equal(AnvilAccounts.Addresses[0], receipt.From);
        Assert.Equal(2_000_000_000UL, (ulong)receipt.EffectiveGasPrice);
        var block = f.Chain.GetBlock(1)!;
        Assert.Equal([hash], block.TransactionHashes);
        Assert.Equal(block.Hash, receipt.BlockHash);
        Assert.Equal(root, block.StateRoot);
        Assert.Equal(f.Chain.GetBlock(0)!.Hash, block.ParentHash);

        var state = f.Chain.LatestState();
        Assert.True(state.TryGetAccount(Bob, out var bob));
        Assert.Equal(12345UL, (ulong)bob.Balance);
        state.TryGetAccount(AnvilAccounts.Addresses[0], out var sender);
        Assert.Equal(1UL, sender.Nonce);
        Assert.Equal(AnvilAccounts.GenesisBalanceWei - 12345 - 21000L * 2_000_000_000L, sender.Balance.ToBigInteger());
    }

    [Fact]
    public void Deployed_contract_stores_and_logs_what_it_is_called_with()
    {
        using var f = new EvmVmFixture();
        var deploy = EvmVmFixture.Sign(1, 0, null, 0, Hex.Decode(EvmVmFixture.InitCodeHex), gas: 200_000);
        f.Apply(EvmVmFixture.Payload(deploy));
        var contract = f.Chain.GetReceipt(Keccak.Hash256(deploy))!.ContractAddress!.Value;
        Assert.Equal(Hex.Decode(EvmVmFixture.RuntimeHex), f.Chain.LatestState().GetCode(f.Chain.LatestState().TryGetAccount(contract, out var a) ? a.CodeHash : default));

        var word = new byte[32];
        word[31] = 0x2a;
        var call = EvmVmFixture.Sign(1, 1, contract, 0, word);
        var other = EvmVmFixture.Sign(2, 0, Bob, 1, gas: 21000);
        f.Apply(EvmVmFixture.Payload(call, other));

        var receipt = f.Chain.GetReceipt(Keccak.Hash256(call))!;
        Assert.True(receipt.Success);
        var log = Assert.Single(receipt.Logs);
        Assert.Equal(contract, log.Address);
        Assert.Equal(new Hash32(word), log.Topics[0]);
        Assert.Equal(new UInt256(42), f.Chain.LatestState().GetStorage(contract, UInt256.Zero));
        Assert.Equal(receipt.GasUsed + 21000, f.Chain.GetReceipt(Keccak.Hash256(other))!.CumulativeGasUsed);

        var logs = f.Chain.GetLogs(0, 2, [contract], [[new Hash32(word)]]);
        Assert.Equal(2UL, Assert.Single(logs).BlockNumber);
        Assert.Empty(f.Chain.GetLogs(0, 2, [Bob], []));
        Assert.Empty(f.Chain.GetLogs(0, 2, [], [null, [new Hash32(word)]]));
    }

    [Fact]
    public void Deposit_credits_a_billion_wei_per_pwr_unit()
    {
        using var f = new EvmVmFixture();
        f.Apply(EvmVmFixture.Deposit(Bob, 7));
        f.Chain.LatestState().TryGetAccount(Bob, out var bob);
        Assert.Equal(7_000_000_000UL, (ulong)bob.Balance);
    }

    [Fact]
    public void Invalid_transactions_are_recorded_as_rejected_without_receipts_and_change_nothing()
    {
        using var f = new EvmVmFixture();
        var root = f.Apply();
        var badNonce = EvmVmFixture.Sign(0, 5, Bob, 1, gas: 21000);
        var wrongChain = EvmVmFixture.Sign(0, 0, Bob, 1, gas: 21000, chainId: 1);
        var tooRich = EvmVmFixture.Sign(3, 0, Bob, AnvilAccounts.GenesisBalanceWei, gas: 21000);
        byte[] garbage = [0x02, 0xc0, 0x01];
        var after = f.Apply(EvmVmFixture.Payload(badNonce, wrongChain, tooRich, garbage));

        Assert.Equal(root, after);
        Assert.Empty(f.Chain.GetBlock(2)!.TransactionHashes);
        foreach (var raw in new[] { badNonce, wrongChain, tooRich, garbage })
        {
            Assert.Null(f.Chain.GetReceipt(Keccak.Hash256(raw)));
            Assert.NotNull(f.Chain.GetRejection(Keccak.Hash256(raw)));
        }
        Assert.Contains("nonce", f.Chain.GetRejection(Keccak.Hash256(badNonce))!.Reason);
        Assert.Contains("chain id", f.Chain.GetRejection(Keccak.Hash256(wrongChain))!.Reason);
        Assert.Contains("insufficient funds", f.Chain.GetRejection(Keccak.Hash256(tooRich))!.Reason);

        var truncated = new VmTransaction(EvmVmFixture.PwrSender, 0, new byte[] { 0, 0, 0, 9, 1 }, Hash32.Zero, 0);
        f.Apply(truncated);
        Assert.NotNull(f.Chain.GetRejection(Keccak.Hash256(truncated.Data.Span)));
    }

    [Fact]
    public void Replaying_the_same_blocks_in_a_fresh_store_gives_the_same_roots()
    {
        using var f = new EvmVmFixture();
        var roots = new List<Hash32>
        {
            f.Apply(EvmVmFixture.Payload(EvmVmFixture.Sign(1, 0, null, 0, Hex.Decode(EvmVmFixture.InitCodeHex), gas: 200_000))),
            f.Apply(EvmVmFixture.Deposit(Bob, 3), EvmVmFixture.Payload(EvmVmFixture.Sign(0, 0, Bob, 5, gas: 21000))),
            f.Apply(),
            f.Apply(EvmVmFixture.Payload(EvmVmFixture.Sign(0, 1, Bob, 5, gas: 21000), EvmVmFixture.Sign(0, 9, Bob, 5, gas: 21000))),
        };
        using var fresh = f.OpenFresh("replay");
        var vm = new EvmVm(2);
        for (int i = 0; i < f.Blocks.Count; i++) Assert.Equal(roots[i], fresh.ApplyBlock(vm, f.Blocks[i]));
        Assert.Equal(f.Chain.GetBlock(4)!.Hash, new EvmChainReader(fresh).GetBlock(4)!.Hash);
    }

    [Fact]
    public void Reopened_store_resumes_at_its_checkpoint_with_its_state()
    {
        using var f = new EvmVmFixture();
        f.Apply(EvmVmFixture.Payload(EvmVmFixture.Sign(0, 0, Bob, 5, gas: 21000)));
        f.Reopen();
        Assert.Equal(1UL, f.Store.Height);
        f.Apply(EvmVmFixture.Payload(EvmVmFixture.Sign(0, 1, Bob, 5, gas: 21000)));
        f.Chain.LatestState().TryGetAccount(Bob, out var bob);
        Assert.Equal(10UL, (ulong)bob.Balance);
        Assert.Equal(f.Store.Root, f.Chain.GetBlock(2)!.StateRoot);
    }
}
