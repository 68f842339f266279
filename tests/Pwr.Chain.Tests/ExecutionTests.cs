using Pwr.Core;

namespace Pwr.Chain.Tests;

public sealed class ExecutionTests : IDisposable
{
    private readonly ChainFixture _f = new();
    public void Dispose() => _f.Dispose();

    private ulong FeeOf(byte[] raw) => (ulong)raw.Length * _f.Fee;

    [Fact]
    public void Transfer_moves_amount_and_charges_fee_to_the_proposer()
    {
        var dev0 = _f.Account(ChainFixture.Dev0.Address).Balance;
        var dev1 = _f.Account(ChainFixture.Dev1.Address).Balance;
        var validator = _f.Account(ChainFixture.Validator.Address).Balance;
        var raw = _f.Transfer(ChainFixture.Dev0, ChainFixture.Dev1.Address, 12345);
        Assert.True(_f.Submit(raw).Accepted);
        var block = _f.Produce();

        Assert.Single(block.Transactions);
        Assert.True(block.Results[0].Success);
        Assert.Equal(dev0 - 12345 - FeeOf(raw), _f.Account(ChainFixture.Dev0.Address).Balance);
        Assert.Equal(dev1 + 12345, _f.Account(ChainFixture.Dev1.Address).Balance);
        Assert.Equal(validator + FeeOf(raw), _f.Account(ChainFixture.Validator.Address).Balance);
        Assert.Equal(1u, _f.Account(ChainFixture.Dev0.Address).Nonce);
    }

    [Fact]
    public void VmData_fee_pays_fifteen_percent_to_the_vm_owner()
    {
        // dev0 owns the token VM on the devnet; dev1 sends to it.
        var owner = _f.Account(ChainFixture.Dev0.Address).Balance;
        var validator = _f.Account(ChainFixture.Validator.Address).Balance;
        var raw = _f.VmData(ChainFixture.Dev1, ChainFixture.TokenVm, [1, 2, 3], 500);
        Assert.True(_f.Submit(raw).Accepted);
        _f.Produce();
        ulong fee = FeeOf(raw), share = fee * 15 / 100;
        Assert.Equal(owner + share, _f.Account(ChainFixture.Dev0.Address).Balance);
        Assert.Equal(validator + fee - share, _f.Account(ChainFixture.Validator.Address).Balance);
        Assert.Equal(500UL, _f.Account(Address.ForVm(ChainFixture.TokenVm)).Balance);
    }

    [Fact]
    public void Failed_after_admission_stays_in_block_with_error_and_fee_charged()
    {
        var raw1 = _f.Claim(ChainFixture.Dev1, 4242);
        var raw2 = _f.Claim(ChainFixture.Dev2, 4242);
        Assert.True(_f.Submit(raw1).Accepted);
        Assert.True(_f.Submit(raw2).Accepted);
        var dev2 = _f.Account(ChainFixture.Dev2.Address);
        var block = _f.Produce();

        Assert.Equal(2, block.Transactions.Count);
        var failed = block.Results[block.Transactions.ToList().FindIndex(t => t.Sender == ChainFixture.Dev2.Address)];
        Assert.False(failed.Success);
        Assert.Contains("already claimed", failed.Error);
        Assert.Equal(ChainFixture.Dev1.Address, _f.Chain.Ledger.GetVmOwner(4242));
        var after = _f.Account(ChainFixture.Dev2.Address);
        Assert.Equal(dev2.Balance - FeeOf(raw2), after.Balance);
        Assert.Equal(dev2.Nonce + 1, after.Nonce);

        var stored = _f.Chain.Blocks.GetTransaction(Keccak.Hash256(raw2))!;
        Assert.False(stored.Result.Success);
        Assert.Contains("already claimed", stored.Result.Error);
    }

    [Fact]
    public void Total_supply_is_conserved_across_blocks_with_failed_and_successful_txs()
    {
        var supply = _f.Genesis.TotalSupply;
        Assert.Equal(supply, _f.Chain.ComputeTotalSupply());
        var fresh = DevnetKeys.FromLabel("test/conservation");
        for (int round = 0; round < 3; round++)
        {
            Assert.True(_f.Submit(_f.Transfer(ChainFixture.Dev0, ChainFixture.Dev1.Address, 1000 + (ulong)round)).Accepted);
            Assert.True(_f.Submit(_f.Transfer(ChainFixture.Dev1, fresh.Address, Units.PerPwr)).Accepted);
            Assert.True(_f.Submit(_f.VmData(ChainFixture.Dev2, ChainFixture.TokenVm, [9], 77)).Accepted);
            Assert.True(_f.Submit(_f.Claim(ChainFixture.Dev0, 1000 + (ulong)round, nonce: _f.Account(ChainFixture.Dev0.Address).Nonce + 1)).Accepted);
            Assert.True(_f.Submit(_f.Claim(ChainFixture.Dev2, 1000 + (ulong)round, nonce: _f.Account(ChainFixture.Dev2.Address).Nonce + 1)).Accepted);
            var block = _f.Produce();
            Assert.Equal(5, block.Transactions.Count);
            Assert.Contains(block.Results, r => !r.Success);
            Assert.Equal(supply, _f.Chain.ComputeTotalSupply());
        }
    }

    [Fact]
    public void Transactions_of_one_sender_enter_in_nonce_order_and_gaps_wait()
    {
        Assert.True(_f.Submit(_f.Transfer(ChainFixture.Dev0, ChainFixture.Dev1.Address, 3, nonce: 2)).Accepted);
        Assert.True(_f.Submit(_f.Transfer(ChainFixture.Dev0, ChainFixture.Dev1.Address, 1, nonce: 0)).Accepted);
        var first = _f.Produce();
        Assert.Single(first.Transactions);
        Assert.Equal(0u, first.Transactions[0].Nonce);
        Assert.Equal(1, _f.Chain.Mempool.Count);

        Assert.True(_f.Submit(_f.Transfer(ChainFixture.Dev0, ChainFixture.Dev1.Address, 2, nonce: 1)).Accepted);
        var second = _f.Produce();
        Assert.Equal([1u, 2u], second.Transactions.Select(t => t.Nonce).ToArray());
        Assert.Equal(0, _f.Chain.Mempool.Count);
    }

    [Fact]
    public void Empty_blocks_are_produced_and_chained()
    {
        var a = _f.Produce();
        var b = _f.Produce();
        Assert.Empty(b.Transactions);
        Assert.Equal(a.Number + 1, b.Number);
        Assert.Equal(a.Hash, b.Header.PreviousHash);
        Assert.True(b.Header.TimestampMs > a.Header.TimestampMs);
        Assert.True(b.Commit!.Verify(_f.Chain.Validators, _f.ChainId, b.Hash, b.Number, out var error), error);
    }

    [Fact]
    public void State_root_changes_with_state_and_survives_restart()
    {
        var genesisRoot = _f.Chain.LastHeader.StateRoot;
        Assert.Equal(genesisRoot, _f.Chain.Ledger.Root);
        _f.Produce();
        Assert.Equal(genesisRoot, _f.Chain.Ledger.Root);
        Assert.True(_f.Submit(_f.Transfer(ChainFixture.Dev0, ChainFixture.Dev1.Address, 5)).Accepted);
        var block = _f.Produce();
        Assert.NotEqual(genesisRoot, block.Header.StateRoot);
        Assert.Equal(block.Header.StateRoot, _f.Chain.Ledger.Root);

        _f.Reopen();
        Assert.Equal(block.Hash, _f.Chain.LastHeader.Hash);
        Assert.Equal(block.Header.StateRoot, _f.Chain.Ledger.Root);
        Assert.Equal(1u, _f.Account(ChainFixture.Dev0.Address).Nonce);
        var next = _f.Produce();
        Assert.Equal(block.Number + 1, next.Number);
    }

    [Fact]
    public void A_finalized_block_is_persisted_only_by_commit_as_in_abci()
    {
        using var other = new ChainFixture();
        Assert.Throws<InvalidOperationException>(() => other.Chain.Commit());
        Assert.True(_f.Submit(_f.Transfer(ChainFixture.Dev0, ChainFixture.Dev1.Address, 7)).Accepted);
        var block = _f.Produce();
        var before = other.Chain.LastHeader;
        var rootBefore = other.Chain.Ledger.Root;

        var finalized = other.Chain.FinalizeBlock(block);
        Assert.Equal(block.Hash, finalized.Hash);
        Assert.True(Assert.Single(finalized.Results).Success);
        // Executed, not yet persisted: the head, the ledger and the block store are unchanged.
        Assert.Equal(before.Hash, other.Chain.LastHeader.Hash);
        Assert.Equal(rootBefore, other.Chain.Ledger.Root);
        Assert.Null(other.Chain.GetBlock(block.Number));

        other.Chain.Commit();
        Assert.Equal(block.Hash, other.Chain.LastHeader.Hash);
        Assert.Equal(block.Header.StateRoot, other.Chain.Ledger.Root);
        Assert.NotNull(other.Chain.GetBlock(block.Number));
        // One commit per finalized block.
        Assert.Throws<InvalidOperationException>(() => other.Chain.Commit());
    }

    [Fact]
    public void Same_transactions_give_the_same_state_root_on_another_node()
    {
        using var other = new ChainFixture();
        var raw = _f.Transfer(ChainFixture.Dev0, ChainFixture.Dev1.Address, 99);
        Assert.True(_f.Submit(raw).Accepted);
        var block = _f.Produce();
        // The other node checks the proposal by re-executing it, then finalizes it with the commit.
        Assert.True(other.Chain.ProcessProposal(block, out var error), error);
        other.Chain.FinalizeBlock(block);
        other.Chain.Commit();
        Assert.Equal(block.Header.StateRoot, other.Chain.Ledger.Root);
        Assert.Equal(block.Hash, other.Chain.LastHeader.Hash);
    }

    [Fact]
    public void Proposal_with_a_wrong_state_root_is_rejected()
    {
        using var other = new ChainFixture();
        Assert.True(_f.Submit(_f.Transfer(ChainFixture.Dev0, ChainFixture.Dev1.Address, 99)).Accepted);
        var block = _f.Produce();
        var forged = new Block
        {
            Header = block.Header with { StateRoot = Keccak.Hash256([1]) },
            Transactions = block.Transactions,
            Results = block.Results,
        };
        Assert.False(other.Chain.ProcessProposal(forged, out var error));
        Assert.Contains("state root", error);
    }

    [Fact]
    public void Proposal_with_a_transaction_whose_signature_does_not_verify_is_rejected()
    {
        using var other = new ChainFixture();
        Assert.True(_f.Submit(_f.Transfer(ChainFixture.Dev0, ChainFixture.Dev1.Address, 99)).Accepted);
        var block = _f.Produce();
        // A second transfer, from an account the other node knows, with one signature byte flipped: the other node
        // never saw it in its mempool, so it must check the signature itself.
        var raw = _f.Transfer(ChainFixture.Dev1, ChainFixture.Dev0.Address, 5);
        raw[^20] ^= 0x01;
        Assert.True(TransactionCodec.TryDecode(raw, out var tampered, out _, out var decodeError), decodeError);
        List<Transaction> txs = [.. block.Transactions, tampered];
        var forged = new Block
        {
            Header = block.Header with { TransactionsRoot = Block.ComputeTransactionsRoot(txs) },
            Transactions = txs,
            Results = [.. block.Results, block.Results[0]],
        };
        Assert.False(other.Chain.ProcessProposal(forged, out var error));
        Assert.Contains($"transaction {tampered.Hash} has no valid signature", error);
    }

    [Fact]
    public void Block_with_an_invalid_commit_is_not_finalized()
    {
        using var other = new ChainFixture();
        var block = _f.Produce();
        var stranger = DevnetKeys.FromLabel("test/stranger");
        var badCommit = new Commit(block.Number, 0, block.Hash, [Commit.SignPrecommit(stranger, _f.ChainId, block.Number, 0, block.Hash)]);
        var forged = new Block { Header = block.Header, Transactions = block.Transactions, Results = block.Results, Commit = badCommit };
        var e = Assert.Throws<InvalidOperationException>(() => other.Chain.FinalizeBlock(forged));
        Assert.Contains("not a validator", e.Message);
        Assert.Equal(0UL, other.Chain.LastHeader.Number);
    }

    [Fact]
    public void Vm_transaction_index_returns_only_that_vms_transactions_in_order()
    {
        Assert.True(_f.Submit(_f.VmData(ChainFixture.Dev0, ChainFixture.TokenVm, [1], 0)).Accepted);
        Assert.True(_f.Submit(_f.VmData(ChainFixture.Dev1, 55, [2], 0)).Accepted);
        var b1 = _f.Produce();
        _f.Produce();
        Assert.True(_f.Submit(_f.VmData(ChainFixture.Dev0, ChainFixture.TokenVm, [3], 0)).Accepted);
        var b3 = _f.Produce();

        var txs = _f.Chain.Blocks.GetVmTransactions(ChainFixture.TokenVm, 1, b3.Number);
        Assert.Equal([(byte)1, (byte)3], txs.Select(t => t.Transaction.Data.Span[0]).ToArray());
        Assert.Equal([b1.Number, b3.Number], txs.Select(t => t.BlockNumber).ToArray());
        Assert.Empty(_f.Chain.Blocks.GetVmTransactions(ChainFixture.TokenVm, b1.Number + 1, b3.Number - 1));
        var blocks = _f.Chain.Blocks.GetVmBlocks(55, 1, b3.Number);
        Assert.Equal(3, blocks.Count);
        Assert.Single(blocks[0].Transactions);
        Assert.Empty(blocks[1].Transactions);
    }
}
