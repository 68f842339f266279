using Pwr.Core;

namespace Pwr.Core.Tests;

public class TransactionSignatureTests
{
    private static readonly byte[] s_transfer = Samples.Signed(TransactionType.Transfer);
    private static readonly int s_unsignedLength = Samples.Unsigned(TransactionType.Transfer).Length;

    private static byte[] Flip(byte[] raw, int index, byte mask = 0x01)
    {
        var copy = (byte[])raw.Clone();
        copy[index] ^= mask;
        return copy;
    }

    [Fact]
    public void Unmodified_transfer_verifies_with_the_signers_key()
        => Assert.True(TransactionSignature.Verify(Samples.Decode(s_transfer), TestKeys.Alice.PublicKey));

    public static TheoryData<int, byte> SignatureOffsets()
    {
        // Header byte, the nonce, the compressed s2 from start to last byte, every bit of the last byte
        // (Falcon's encoding pads the last byte with zero bits: a malleable decoder would accept flipped padding).
        var data = new TheoryData<int, byte> { { 0, 0x01 }, { 1, 0x01 }, { 40, 0x80 }, { 41, 0x01 }, { 200, 0x10 }, { -2, 0x01 } };
        for (int bit = 0; bit < 8; bit++) data.Add(-1, (byte)(1 << bit));
        return data;
    }

    [Theory]
    [MemberData(nameof(SignatureOffsets))]
    public void Flipped_signature_byte_fails_verification(int offsetInSignature, byte mask)
    {
        int sigLen = Samples.SignatureLength(s_transfer);
        int index = s_unsignedLength + (offsetInSignature >= 0 ? offsetInSignature : sigLen + offsetInSignature);
        var tx = Samples.Decode(Flip(s_transfer, index, mask));
        Assert.False(TransactionSignature.Verify(tx, TestKeys.Alice.PublicKey));
    }

    [Theory]
    [InlineData(4, "chain id")]
    [InlineData(5, "nonce")]
    [InlineData(12, "fee per byte")]
    [InlineData(20, "sender")]
    [InlineData(40, "receiver")]
    [InlineData(60, "amount")]
    [InlineData(64, "amount, last byte")]
    public void Flipped_body_byte_fails_verification(int index, string field)
    {
        var tx = Samples.Decode(Flip(s_transfer, index));
        Assert.True(TransactionSignature.Verify(Samples.Decode(s_transfer), TestKeys.Alice.PublicKey));
        Assert.False(TransactionSignature.Verify(tx, TestKeys.Alice.PublicKey), $"flipped {field} still verifies");
    }

    [Fact]
    public void Signature_with_an_appended_byte_fails_verification()
    {
        var signature = Samples.Decode(s_transfer).Signature.ToArray();
        var longer = TransactionCodec.Seal(Samples.Unsigned(TransactionType.Transfer), [.. signature, 0x00]);
        Assert.False(TransactionSignature.Verify(Samples.Decode(longer), TestKeys.Alice.PublicKey));
    }

    [Fact]
    public void Signature_from_another_key_fails_verification()
    {
        var unsignedTx = Samples.Unsigned(TransactionType.Transfer);
        var tx = Samples.Decode(TransactionBuilder.Sign(unsignedTx, TestKeys.Bob));
        Assert.False(TransactionSignature.Verify(tx, TestKeys.Alice.PublicKey));
        Assert.True(TransactionSignature.Verify(tx, TestKeys.Bob.PublicKey));
    }

    [Fact]
    public void Malformed_public_key_fails_verification_without_throwing()
    {
        var tx = Samples.Decode(s_transfer);
        Assert.False(TransactionSignature.Verify(tx, []));
        Assert.False(TransactionSignature.Verify(tx, TestKeys.Alice.PublicKey.AsSpan(1)));
        Assert.False(TransactionSignature.Verify(tx, new byte[Falcon512.PublicKeySize]));
    }
}
