using Pwr.Core;

namespace Pwr.Core.Tests;

public class TransactionRoundTripTests
{
    private static Transaction SignAndDecode(TransactionType type, out byte[] unsignedTx, out byte[] raw)
    {
        unsignedTx = Samples.Unsigned(type);
        raw = TransactionBuilder.Sign(unsignedTx, TestKeys.Alice);
        return Samples.Decode(raw);
    }

    private static void AssertCommon(Transaction tx, TransactionType type, byte[] unsignedTx, byte[] raw)
    {
        Assert.Equal(type, tx.Type);
        Assert.Equal(Samples.ChainId, tx.ChainId);
        Assert.Equal(Samples.Nonce, tx.Nonce);
        Assert.Equal(Samples.FeePerByte, tx.FeePerByte);
        Assert.Equal(Samples.Sender, tx.Sender);
        Assert.Same(raw, tx.Raw);
        Assert.Equal(raw.Length, tx.Size);
        Assert.Equal(unsignedTx.Length, tx.UnsignedLength);
        Assert.Equal(unsignedTx, tx.Unsigned.ToArray());
        Assert.Equal(Samples.SignatureLength(raw), tx.Signature.Length);
        Assert.Equal(raw.AsSpan(unsignedTx.Length, tx.Signature.Length).ToArray(), tx.Signature.ToArray());
        Assert.Equal(unsignedTx.Length + tx.Signature.Length + 2, raw.Length);
        Assert.Equal(Keccak.Hash256(raw), tx.Hash);
        Assert.True(TransactionSignature.Verify(tx, TestKeys.Alice.PublicKey));
    }

    [Fact]
    public void SetPublicKey_round_trips_every_field_and_verifies()
    {
        var tx = SignAndDecode(TransactionType.SetPublicKey, out var unsignedTx, out var raw);
        AssertCommon(tx, TransactionType.SetPublicKey, unsignedTx, raw);
        Assert.Equal(TestKeys.Alice.PublicKey, tx.PublicKey.ToArray());
        Assert.Equal(Address.Zero, tx.Receiver);
        Assert.Equal(0UL, tx.Amount);
        Assert.Equal(0UL, tx.VmId);
        Assert.True(tx.Data.IsEmpty);
        Assert.Equal(0UL, tx.Value);
        Assert.Equal(0UL, tx.Spend);
        Assert.True(TransactionSignature.Verify(tx, tx.PublicKey.Span), "the key it carries verifies it");
    }

    [Fact]
    public void Transfer_round_trips_every_field_and_verifies()
    {
        var tx = SignAndDecode(TransactionType.Transfer, out var unsignedTx, out var raw);
        AssertCommon(tx, TransactionType.Transfer, unsignedTx, raw);
        Assert.Equal(Samples.Receiver, tx.Receiver);
        Assert.Equal(Samples.Amount, tx.Amount);
        Assert.True(tx.PublicKey.IsEmpty);
        Assert.Equal(0UL, tx.VmId);
        Assert.True(tx.Data.IsEmpty);
        Assert.Equal(0UL, tx.Value);
        Assert.Equal(Samples.Amount, tx.Spend);
    }

    [Fact]
    public void ClaimVmId_round_trips_every_field_and_verifies()
    {
        var tx = SignAndDecode(TransactionType.ClaimVmId, out var unsignedTx, out var raw);
        AssertCommon(tx, TransactionType.ClaimVmId, unsignedTx, raw);
        Assert.Equal(Samples.VmId, tx.VmId);
        Assert.True(tx.PublicKey.IsEmpty);
        Assert.Equal(Address.Zero, tx.Receiver);
        Assert.Equal(0UL, tx.Amount);
        Assert.True(tx.Data.IsEmpty);
        Assert.Equal(0UL, tx.Value);
        Assert.Equal(0UL, tx.Spend);
    }

    [Fact]
    public void VmData_round_trips_every_field_and_verifies()
    {
        var tx = SignAndDecode(TransactionType.VmData, out var unsignedTx, out var raw);
        AssertCommon(tx, TransactionType.VmData, unsignedTx, raw);
        Assert.Equal(Samples.VmId, tx.VmId);
        Assert.Equal(Samples.Data, tx.Data.ToArray());
        Assert.Equal(Samples.Value, tx.Value);
        Assert.True(tx.PublicKey.IsEmpty);
        Assert.Equal(Address.Zero, tx.Receiver);
        Assert.Equal(0UL, tx.Amount);
        Assert.Equal(Samples.Value, tx.Spend);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(65_536)]
    public void VmData_with_any_data_length_round_trips(int length)
    {
        var data = new byte[length];
        new Random(length).NextBytes(data);
        var unsignedTx = TransactionBuilder.VmData(1, 0, 1, Samples.Sender, 7, data, 0);
        var tx = Samples.Decode(TestKeys.SealDeterministic(unsignedTx, TestKeys.Alice, $"vmdata/{length}"));
        Assert.Equal(data, tx.Data.ToArray());
        Assert.Equal(7UL, tx.VmId);
        Assert.True(TransactionSignature.Verify(tx, TestKeys.Alice.PublicKey));
    }

    [Fact]
    public void Unsigned_transfer_has_the_byte_layout_of_the_design()
    {
        // DESIGN.md: type u32 ‖ chainId u8 ‖ nonce u32 ‖ feePerByte u64 ‖ sender 20 ‖ receiver 20 ‖ amount u64, big-endian.
        var expected = Hex.Decode(
            "000003ee" + "2a" + "01020304" + "1112131415161718"
            + TestKeys.Alice.Address.ToString()[2..]
            + "5152535455565758595a5b5c5d5e5f6061626364"
            + "2122232425262728");
        Assert.Equal(expected, Samples.Unsigned(TransactionType.Transfer));
    }

    [Fact]
    public void Unsigned_vm_data_has_the_byte_layout_of_the_design()
    {
        var unsignedTx = TransactionBuilder.VmData(Samples.ChainId, Samples.Nonce, Samples.FeePerByte, Samples.Sender, Samples.VmId, [0xAA, 0xBB], Samples.Value);
        var expected = Hex.Decode(
            "00000406" + "2a" + "01020304" + "1112131415161718" + TestKeys.Alice.Address.ToString()[2..]
            + "3132333435363738" + "00000002" + "aabb" + "4142434445464748");
        Assert.Equal(expected, unsignedTx);
    }

    [Fact]
    public void Unsigned_set_public_key_and_claim_vm_id_have_the_byte_layout_of_the_design()
    {
        var header = "2a" + "01020304" + "1112131415161718" + TestKeys.Alice.Address.ToString()[2..];
        Assert.Equal(Hex.Decode("000003e9" + header + "0381" + Hex.Encode(TestKeys.Alice.PublicKey, prefix: false)),
            Samples.Unsigned(TransactionType.SetPublicKey));
        Assert.Equal(Hex.Decode("00000404" + header + "3132333435363738"), Samples.Unsigned(TransactionType.ClaimVmId));
    }

    [Fact]
    public void Seal_appends_the_signature_and_its_big_endian_length()
    {
        byte[] unsignedTx = [1, 2, 3];
        var signature = new byte[0x0123];
        signature.AsSpan().Fill(0x55);
        var raw = TransactionCodec.Seal(unsignedTx, signature);
        Assert.Equal(3 + 0x0123 + 2, raw.Length);
        Assert.Equal(new byte[] { 1, 2, 3 }, raw[..3]);
        Assert.All(raw[3..^2], b => Assert.Equal(0x55, b));
        Assert.Equal(0x01, raw[^2]);
        Assert.Equal(0x23, raw[^1]);
    }

    [Fact]
    public void Fee_is_fee_per_byte_times_signed_size_and_overflow_is_reported()
    {
        var unsignedTx = TransactionBuilder.Transfer(1, 0, 3, Samples.Sender, Samples.Receiver, 1);
        var tx = Samples.Decode(TestKeys.SealDeterministic(unsignedTx, TestKeys.Alice, "fee"));
        Assert.True(tx.TryGetFee(out var fee));
        Assert.Equal(3UL * (ulong)tx.Size, fee);

        var costly = TransactionBuilder.Transfer(1, 0, ulong.MaxValue / 10, Samples.Sender, Samples.Receiver, 1);
        var costlyTx = Samples.Decode(TestKeys.SealDeterministic(costly, TestKeys.Alice, "fee-overflow"));
        Assert.False(costlyTx.TryGetFee(out _));
    }

    [Fact]
    public void Signing_the_same_transaction_twice_gives_different_hashes_that_both_verify()
    {
        // Falcon signatures are randomized, so the tx hash (over the signed bytes) is not a function of the body alone.
        var unsignedTx = Samples.Unsigned(TransactionType.Transfer);
        var a = Samples.Decode(TransactionBuilder.Sign(unsignedTx, TestKeys.Alice));
        var b = Samples.Decode(TransactionBuilder.Sign(unsignedTx, TestKeys.Alice));
        Assert.NotEqual(a.Hash, b.Hash);
        Assert.True(TransactionSignature.Verify(a, TestKeys.Alice.PublicKey));
        Assert.True(TransactionSignature.Verify(b, TestKeys.Alice.PublicKey));
    }
}
