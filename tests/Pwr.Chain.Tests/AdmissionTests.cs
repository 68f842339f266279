using Pwr.Core;

namespace Pwr.Chain.Tests;

public sealed class AdmissionTests : IDisposable
{
    private readonly ChainFixture _f = new();
    public void Dispose() => _f.Dispose();

    [Fact]
    public void Valid_transfer_is_admitted_and_pending()
    {
        var raw = _f.Transfer(ChainFixture.Dev0, ChainFixture.Dev1.Address, 5);
        var r = _f.Submit(raw);
        Assert.True(r.Accepted, r.Message);
        Assert.Equal(Keccak.Hash256(raw), r.Hash);
        Assert.Equal(1, _f.Chain.Mempool.Count);
    }

    [Fact]
    public void Garbage_bytes_are_rejected_as_malformed()
    {
        var r = _f.Submit([1, 2, 3]);
        Assert.False(r.Accepted);
        Assert.Equal(RejectReason.Malformed, r.Reason);
    }

    [Fact]
    public void Transaction_over_the_size_limit_is_rejected_as_oversized()
    {
        var raw = _f.VmData(ChainFixture.Dev0, 1, new byte[_f.Options.MaxTransactionBytes], 0);
        var r = _f.Submit(raw);
        Assert.Equal(RejectReason.Oversized, r.Reason);
        Assert.Contains("limit", r.Message);
    }

    [Fact]
    public void Wrong_chain_id_is_rejected()
    {
        var r = _f.Submit(_f.Transfer(ChainFixture.Dev0, ChainFixture.Dev1.Address, 5, chainId: 7));
        Assert.Equal(RejectReason.WrongChainId, r.Reason);
    }

    [Fact]
    public void Fee_below_minimum_is_rejected()
    {
        var r = _f.Submit(_f.Transfer(ChainFixture.Dev0, ChainFixture.Dev1.Address, 5, feePerByte: _f.Fee - 1));
        Assert.Equal(RejectReason.FeeTooLow, r.Reason);
    }

    [Fact]
    public void Transaction_signed_by_another_key_is_rejected_as_bad_signature()
    {
        // dev1 signs a transaction that claims dev0 as its sender.
        var unsigned = TransactionBuilder.Transfer(_f.ChainId, 0, _f.Fee, ChainFixture.Dev0.Address, ChainFixture.Dev1.Address, 5);
        var r = _f.Submit(TransactionBuilder.Sign(unsigned, ChainFixture.Dev1));
        Assert.Equal(RejectReason.BadSignature, r.Reason);
    }

    [Fact]
    public void Flipped_body_byte_breaks_the_signature()
    {
        var raw = _f.Transfer(ChainFixture.Dev0, ChainFixture.Dev1.Address, 5);
        raw[Transaction.HeaderSize + 25] ^= 1; // inside the amount
        Assert.Equal(RejectReason.BadSignature, _f.Submit(raw).Reason);
    }

    [Fact]
    public void Replayed_transaction_is_rejected_before_and_after_finality()
    {
        var raw = _f.Transfer(ChainFixture.Dev0, ChainFixture.Dev1.Address, 5);
        Assert.True(_f.Submit(raw).Accepted);
        Assert.Equal(RejectReason.AlreadyKnown, _f.Submit(raw).Reason);
        _f.Produce();
        Assert.Equal(RejectReason.AlreadyKnown, _f.Submit(raw).Reason);
    }

    [Fact]
    public void Transfer_with_stale_nonce_is_rejected()
    {
        Assert.True(_f.Submit(_f.Transfer(ChainFixture.Dev0, ChainFixture.Dev1.Address, 5)).Accepted);
        _f.Produce();
        var r = _f.Submit(_f.Transfer(ChainFixture.Dev0, ChainFixture.Dev1.Address, 6, nonce: 0));
        Assert.Equal(RejectReason.NonceTooLow, r.Reason);
        Assert.Contains("next nonce is 1", r.Message);
    }

    [Fact]
    public void Second_transaction_with_a_pending_nonce_is_rejected()
    {
        Assert.True(_f.Submit(_f.Transfer(ChainFixture.Dev0, ChainFixture.Dev1.Address, 5, nonce: 0)).Accepted);
        Assert.Equal(RejectReason.NonceAlreadyPending, _f.Submit(_f.Transfer(ChainFixture.Dev0, ChainFixture.Dev1.Address, 6, nonce: 0)).Reason);
    }

    [Fact]
    public void Transfer_beyond_balance_is_rejected_counting_pending_spend()
    {
        var balance = _f.Account(ChainFixture.Dev0.Address).Balance;
        Assert.Equal(RejectReason.InsufficientBalance, _f.Submit(_f.Transfer(ChainFixture.Dev0, ChainFixture.Dev1.Address, balance)).Reason);
        Assert.True(_f.Submit(_f.Transfer(ChainFixture.Dev0, ChainFixture.Dev1.Address, balance / 2, nonce: 0)).Accepted);
        Assert.Equal(RejectReason.InsufficientBalance, _f.Submit(_f.Transfer(ChainFixture.Dev0, ChainFixture.Dev1.Address, balance / 2, nonce: 1)).Reason);
    }

    [Fact]
    public void Account_without_public_key_must_start_with_SetPublicKey()
    {
        var fresh = DevnetKeys.FromLabel("test/fresh");
        Assert.True(_f.Submit(_f.Transfer(ChainFixture.Dev0, fresh.Address, 10 * Units.PerPwr)).Accepted);
        _f.Produce();
        var transfer = TransactionBuilder.Sign(TransactionBuilder.Transfer(_f.ChainId, 0, _f.Fee, fresh.Address, ChainFixture.Dev1.Address, 1), fresh);
        Assert.Equal(RejectReason.NoPublicKey, _f.Submit(transfer).Reason);

        var setKey = TransactionBuilder.Sign(TransactionBuilder.SetPublicKey(_f.ChainId, 0, _f.Fee, fresh.Address, fresh.PublicKey), fresh);
        Assert.True(_f.Submit(setKey).Accepted);
        var next = TransactionBuilder.Sign(TransactionBuilder.Transfer(_f.ChainId, 1, _f.Fee, fresh.Address, ChainFixture.Dev1.Address, 1), fresh);
        Assert.True(_f.Submit(next).Accepted, "a pending SetPublicKey lets the next nonce be checked");
        var block = _f.Produce();
        Assert.Equal(2, block.Transactions.Count);
        Assert.All(block.Results, r => Assert.True(r.Success, r.Error));
        Assert.Equal(fresh.PublicKey, _f.Account(fresh.Address).PublicKey);
    }

    [Fact]
    public void SetPublicKey_for_someone_elses_address_is_rejected()
    {
        var a = DevnetKeys.FromLabel("test/a");
        var setKey = TransactionBuilder.Sign(TransactionBuilder.SetPublicKey(_f.ChainId, 0, _f.Fee, ChainFixture.Dev2.Address, a.PublicKey), a);
        Assert.Equal(RejectReason.PublicKeyAlreadySet, _f.Submit(setKey).Reason);
        var b = DevnetKeys.FromLabel("test/b");
        var mismatch = TransactionBuilder.Sign(TransactionBuilder.SetPublicKey(_f.ChainId, 0, _f.Fee, b.Address, a.PublicKey), a);
        Assert.Equal(RejectReason.PublicKeyMismatch, _f.Submit(mismatch).Reason);
    }

    [Fact]
    public void Claiming_a_claimed_vm_id_is_rejected()
    {
        var r = _f.Submit(_f.Claim(ChainFixture.Dev1, ChainFixture.TokenVm));
        Assert.Equal(RejectReason.VmIdAlreadyClaimed, r.Reason);
    }

    [Fact]
    public void Full_mempool_rejects_with_a_clear_reason()
    {
        using var f = new ChainFixture(new ChainOptions { MempoolMaxTransactions = 2 });
        Assert.True(f.Submit(f.Transfer(ChainFixture.Dev0, ChainFixture.Dev1.Address, 1, nonce: 0)).Accepted);
        Assert.True(f.Submit(f.Transfer(ChainFixture.Dev0, ChainFixture.Dev1.Address, 1, nonce: 1)).Accepted);
        var r = f.Submit(f.Transfer(ChainFixture.Dev1, ChainFixture.Dev0.Address, 1, nonce: 0));
        Assert.Equal(RejectReason.MempoolFull, r.Reason);
        Assert.Contains("mempool is full", r.Message);
        f.Produce();
        Assert.Equal(0, f.Chain.Mempool.Count);
        Assert.True(f.Submit(f.Transfer(ChainFixture.Dev1, ChainFixture.Dev0.Address, 1, nonce: 0)).Accepted, "room again after a block");
    }

    [Fact]
    public void Nonce_too_far_ahead_is_rejected()
    {
        using var f = new ChainFixture(new ChainOptions { MaxNonceGap = 10 });
        Assert.Equal(RejectReason.NonceTooFarAhead, f.Submit(f.Transfer(ChainFixture.Dev0, ChainFixture.Dev1.Address, 1, nonce: 11)).Reason);
    }
}
