using System.Buffers.Binary;
using Pwr.Core;

namespace Pwr.Core.Tests;

public class TransactionDecodeTests
{
    /// <summary>A structurally valid signature (right header and length) for tests that never verify it.</summary>
    private static readonly byte[] s_fakeSignature = [0x39, .. Enumerable.Repeat((byte)0xA5, 600)];

    private static byte[] Insert(byte[] raw, int at, byte value) => [.. raw[..at], value, .. raw[at..]];

    [Fact]
    public void Empty_input_is_rejected_as_empty()
        => Assert.Equal(DecodeError.Empty, Samples.DecodeError([]));

    [Theory]
    [InlineData(0x00)]
    [InlineData(0xFF)]
    public void Single_byte_is_rejected_as_truncated(byte b)
        => Assert.Equal(DecodeError.Truncated, Samples.DecodeError([b]));

    [Fact]
    public void Input_shorter_than_header_and_length_trailer_is_rejected_as_truncated()
        => Assert.Equal(DecodeError.Truncated, Samples.DecodeError(Samples.Signed(TransactionType.Transfer)[..(Transaction.HeaderSize + 1)]));

    [Theory]
    [MemberData(nameof(Samples.AllTypes), MemberType = typeof(Samples))]
    public void Every_proper_prefix_of_a_signed_transaction_is_rejected_without_throwing(TransactionType type)
    {
        // The fixed signature keeps this reproducible: see A_prefix_that_happens_to_decode_never_verifies for why.
        var raw = Samples.Signed(type);
        Assert.True(TransactionCodec.TryDecode(raw, out _, out _, out _));
        for (int length = 0; length < raw.Length; length++)
        {
            bool ok = TransactionCodec.TryDecode(raw[..length], out var tx, out var error, out var message);
            Assert.False(ok, $"prefix of {length}/{raw.Length} bytes decoded");
            Assert.Null(tx);
            Assert.NotEqual(DecodeError.None, error);
            Assert.NotEmpty(message);
        }
    }

    [Fact]
    public void A_prefix_that_happens_to_decode_never_verifies()
    {
        // The wire format is not prefix-free: when the two bytes before a cut happen to equal (cut − unsigned − 2),
        // the prefix parses as the same body with a shorter signature (about 1 in 150 transfer signatures has such a
        // prefix). That is harmless only because a cut signature never verifies; check it across fresh signatures.
        var unsignedTx = Samples.Unsigned(TransactionType.Transfer);
        for (int i = 0; i < 100; i++)
        {
            var raw = TransactionBuilder.Sign(unsignedTx, TestKeys.Alice);
            for (int length = 0; length < raw.Length; length++)
            {
                if (TransactionCodec.TryDecode(raw[..length], out var tx, out _, out _))
                    Assert.False(TransactionSignature.Verify(tx, TestKeys.Alice.PublicKey), $"prefix of {length}/{raw.Length} bytes verified");
            }
        }
    }

    [Theory]
    [MemberData(nameof(Samples.AllTypes), MemberType = typeof(Samples))]
    public void Body_truncated_by_one_byte_is_rejected_as_truncated(TransactionType type)
    {
        var unsignedTx = Samples.Unsigned(type);
        var raw = TransactionCodec.Seal(unsignedTx[..^1], s_fakeSignature);
        Assert.Equal(DecodeError.Truncated, Samples.DecodeError(raw));
    }

    [Fact]
    public void Transfer_truncated_by_one_byte_is_rejected_as_truncated()
    {
        var unsignedTx = Samples.Unsigned(TransactionType.Transfer);
        var raw = TransactionCodec.Seal(unsignedTx[..^1], s_fakeSignature);
        Assert.Equal(DecodeError.Truncated, Samples.DecodeError(raw));
        Assert.True(TransactionCodec.TryDecode(TransactionCodec.Seal(unsignedTx, s_fakeSignature), out _, out _, out _));
    }

    [Theory]
    [MemberData(nameof(Samples.AllTypes), MemberType = typeof(Samples))]
    public void Extra_byte_before_the_signature_is_rejected_as_trailing_bytes(TransactionType type)
    {
        var raw = Samples.Signed(type);
        var withExtra = Insert(raw, Samples.Unsigned(type).Length, 0x00);
        Assert.Equal(DecodeError.TrailingBytes, Samples.DecodeError(withExtra));
    }

    [Theory]
    [InlineData(0u)]
    [InlineData(1000u)]
    [InlineData(1002u)]
    [InlineData(1007u)]
    [InlineData(uint.MaxValue)]
    public void Unknown_type_is_rejected_as_unknown_type(uint type)
    {
        var raw = (byte[])Samples.Signed(TransactionType.Transfer).Clone();
        BinaryPrimitives.WriteUInt32BigEndian(raw, type);
        Assert.Equal(DecodeError.UnknownType, Samples.DecodeError(raw));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(Falcon512.MinSignatureSize - 1)]
    [InlineData(Falcon512.MaxSignatureSize + 1)]
    [InlineData(0xFFFF)]
    public void Signature_length_outside_the_falcon_range_is_rejected_as_bad_signature_length(int sigLen)
    {
        var raw = (byte[])Samples.Signed(TransactionType.Transfer).Clone();
        BinaryPrimitives.WriteUInt16BigEndian(raw.AsSpan(raw.Length - 2), (ushort)sigLen);
        Assert.Equal(DecodeError.BadSignatureLength, Samples.DecodeError(raw));
    }

    [Theory]
    [InlineData(Falcon512.MinSignatureSize)]
    [InlineData(Falcon512.MaxSignatureSize)]
    public void Signature_length_larger_than_the_transaction_is_rejected_as_truncated(int sigLen)
    {
        // A 40-byte header-only input whose trailer claims a signature longer than everything before it.
        var raw = new byte[Transaction.HeaderSize + 3];
        BinaryPrimitives.WriteUInt32BigEndian(raw, (uint)TransactionType.ClaimVmId);
        BinaryPrimitives.WriteUInt16BigEndian(raw.AsSpan(raw.Length - 2), (ushort)sigLen);
        Assert.Equal(DecodeError.Truncated, Samples.DecodeError(raw));
    }

    [Fact]
    public void Signature_length_that_eats_into_the_header_is_rejected_as_truncated()
    {
        var raw = (byte[])Samples.Signed(TransactionType.ClaimVmId).Clone();
        int unsignedLength = Samples.Unsigned(TransactionType.ClaimVmId).Length;
        int sigLen = Samples.SignatureLength(raw) + unsignedLength - Transaction.HeaderSize + 1; // leaves HeaderSize − 1
        BinaryPrimitives.WriteUInt16BigEndian(raw.AsSpan(raw.Length - 2), (ushort)sigLen);
        Assert.Equal(DecodeError.Truncated, Samples.DecodeError(raw));
    }

    [Fact]
    public void Transaction_over_max_size_is_rejected_as_oversized()
    {
        var raw = Samples.Signed(TransactionType.Transfer);
        Assert.Equal(DecodeError.Oversized, Samples.DecodeError(raw, maxSize: raw.Length - 1));
        Assert.True(TransactionCodec.TryDecode(raw, raw.Length, out _, out _, out _), "exactly max size is accepted");
    }

    [Fact]
    public void Transaction_over_the_absolute_cap_is_rejected_as_oversized_whatever_max_size_says()
    {
        var raw = new byte[TransactionCodec.AbsoluteMaxSize + 1];
        Assert.Equal(DecodeError.Oversized, Samples.DecodeError(raw, maxSize: int.MaxValue));
    }

    [Fact]
    public void Oversize_check_comes_before_parsing()
    {
        // Garbage that would otherwise be Truncated: the size limit answers first, so nothing large is parsed.
        Assert.Equal(DecodeError.Oversized, Samples.DecodeError([1, 2, 3], maxSize: 2));
    }

    private static byte[] SetPublicKeyWith(ReadOnlySpan<byte> key, int? declaredLength = null)
    {
        var unsignedTx = TransactionBuilder.SetPublicKey(1, 0, 1, Samples.Sender, key);
        if (declaredLength is { } d) BinaryPrimitives.WriteUInt16BigEndian(unsignedTx.AsSpan(Transaction.HeaderSize), (ushort)d);
        return TransactionCodec.Seal(unsignedTx, s_fakeSignature);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(Falcon512.PublicKeySize - 1)]
    [InlineData(Falcon512.PublicKeySize + 1)]
    [InlineData(1793)]
    public void SetPublicKey_with_wrong_key_length_is_rejected_as_bad_public_key(int keyLength)
    {
        var key = new byte[keyLength];
        if (keyLength > 0) key[0] = Falcon512.PublicKeyHeader;
        Assert.Equal(DecodeError.BadPublicKey, Samples.DecodeError(SetPublicKeyWith(key)));
    }

    [Theory]
    [InlineData(0x00)]
    [InlineData(0x0A)]
    [InlineData(0x39)]
    public void SetPublicKey_with_wrong_key_header_is_rejected_as_bad_public_key(byte header)
    {
        var key = (byte[])TestKeys.Alice.PublicKey.Clone();
        key[0] = header;
        Assert.Equal(DecodeError.BadPublicKey, Samples.DecodeError(SetPublicKeyWith(key)));
    }

    [Theory]
    [InlineData(Falcon512.PublicKeySize + 1)]
    [InlineData(0xFFFF)]
    public void SetPublicKey_whose_key_length_exceeds_the_body_is_rejected_as_truncated(int declaredLength)
        => Assert.Equal(DecodeError.Truncated, Samples.DecodeError(SetPublicKeyWith(TestKeys.Alice.PublicKey, declaredLength)));

    [Fact]
    public void SetPublicKey_whose_key_length_is_short_of_the_body_is_rejected()
    {
        // 896 declared, 897 present: the declared key is malformed, and that is what gets reported.
        Assert.Equal(DecodeError.BadPublicKey, Samples.DecodeError(SetPublicKeyWith(TestKeys.Alice.PublicKey, Falcon512.PublicKeySize - 1)));
    }

    private static byte[] VmDataWithDeclaredLength(uint declaredLength, int actualLength = 16)
    {
        var unsignedTx = TransactionBuilder.VmData(1, 0, 1, Samples.Sender, 5, new byte[actualLength], 9);
        BinaryPrimitives.WriteUInt32BigEndian(unsignedTx.AsSpan(Transaction.HeaderSize + 8), declaredLength);
        return TransactionCodec.Seal(unsignedTx, s_fakeSignature);
    }

    [Theory]
    [InlineData(17u)]         // reaches one byte into the value: the value is then short
    [InlineData(16u + 8u)]    // swallows the value
    [InlineData(16u + 9u)]    // beyond the body
    [InlineData(100_000u)]
    [InlineData(0x7FFFFFFFu)]
    [InlineData(0x80000000u)] // negative as an int
    [InlineData(0xFFFFFFFFu)]
    public void VmData_whose_data_length_exceeds_the_remaining_bytes_is_rejected_as_truncated(uint declaredLength)
        => Assert.Equal(DecodeError.Truncated, Samples.DecodeError(VmDataWithDeclaredLength(declaredLength)));

    [Fact]
    public void VmData_whose_data_length_is_short_of_the_data_is_rejected_as_trailing_bytes()
        => Assert.Equal(DecodeError.TrailingBytes, Samples.DecodeError(VmDataWithDeclaredLength(15)));

    [Theory]
    [MemberData(nameof(Samples.AllTypes), MemberType = typeof(Samples))]
    public void Successful_decode_reports_no_error(TransactionType type)
    {
        Assert.True(TransactionCodec.TryDecode(Samples.Signed(type), out var tx, out var error, out var message));
        Assert.NotNull(tx);
        Assert.Equal(DecodeError.None, error);
        Assert.Equal("", message);
    }

    [Fact]
    public void Random_bytes_and_mutated_transactions_never_throw()
    {
        var random = new Random(20240601);
        var samples = Enum.GetValues<TransactionType>().Select(Samples.Signed).ToArray();
        for (int i = 0; i < 20_000; i++)
        {
            byte[] input;
            if (i % 2 == 0)
            {
                input = new byte[random.Next(0, 1200)];
                random.NextBytes(input);
            }
            else
            {
                input = (byte[])samples[i % samples.Length].Clone();
                for (int flips = random.Next(1, 4); flips > 0; flips--)
                    input[random.Next(input.Length)] = (byte)random.Next(256);
                if (random.Next(4) == 0) input = input[..random.Next(input.Length)];
            }
            bool ok = TransactionCodec.TryDecode(input, out var tx, out var error, out _);
            Assert.Equal(ok, tx is not null);
            Assert.Equal(ok, error == DecodeError.None);
            if (ok) Assert.Equal(Keccak.Hash256(input), tx!.Hash);
        }
    }
}
