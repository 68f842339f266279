using System.Numerics;
using System.Security.Cryptography;
using Pwr.Core;

namespace Pwr.Core.Tests;

public class Secp256k1Tests
{
    private static readonly BigInteger Order = BigInteger.Parse("0FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141", System.Globalization.NumberStyles.HexNumber);
    private static readonly byte[] AnvilKey0 = Hex.Decode("0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80");

    private static byte[] Scalar(BigInteger value)
    {
        var bytes = value.ToByteArray(isUnsigned: true, isBigEndian: true);
        var padded = new byte[32];
        bytes.CopyTo(padded, 32 - bytes.Length);
        return padded;
    }

    private static BigInteger ToInteger(ReadOnlySpan<byte> bytes) => new(bytes, isUnsigned: true, isBigEndian: true);

    [Fact]
    public void Anvil_account_zero_key_gives_its_well_known_address()
        => Assert.Equal(Address.Parse("0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"), Secp256k1.EthereumAddressOfPrivateKey(AnvilKey0));

    [Fact]
    public void Private_key_one_gives_the_generator_point()
    {
        var publicKey = Secp256k1.PublicKey(Scalar(1));
        Assert.Equal("0x79be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798483ada7726a3c4655da4fbfc0e1108a8fd17b448a68554199c47d08ffb10d4b8",
            Hex.Encode(publicKey));
        Assert.Equal(Address.Parse("0x7e5f4552091a69125d5dfcb7b8c2659029395bdf"), Secp256k1.EthereumAddress(publicKey));
    }

    [Fact]
    public void Signing_is_deterministic_rfc6979_with_low_s()
    {
        // The widely published RFC 6979 vector: key 1, SHA-256("Satoshi Nakamoto"), s normalized to the lower half.
        var hash = SHA256.HashData("Satoshi Nakamoto"u8);
        var signature = Secp256k1.Sign(hash, Scalar(1), out _);
        Assert.Equal("0x934b1ea10a4b3c1757e2b0c017d0b6143ce3c9a7e6a4a49860d7a6ab210ee3d8", Hex.Encode(signature.AsSpan(0, 32)));
        Assert.Equal("0x2442ce9d2b916064108014783e923ec36b49743e2ffa1c4496f01a512aafd9e5", Hex.Encode(signature.AsSpan(32)));
        Assert.Equal(signature, Secp256k1.Sign(hash, Scalar(1), out _));
    }

    [Fact]
    public void Recover_returns_the_signer_public_key()
    {
        var hash = Keccak.Hash256("hello"u8).ToArray();
        for (int i = 0; i < 20; i++)
        {
            var key = Keccak.Hash256(BitConverter.GetBytes(i)).ToArray();
            var signature = Secp256k1.Sign(hash, key, out int recoveryId);
            Assert.InRange(recoveryId, 0, 3);
            Assert.True(ToInteger(signature.AsSpan(32)) <= Order / 2);
            var recovered = new byte[64];
            Assert.True(Secp256k1.TryRecover(hash, signature, recoveryId, recovered));
            Assert.Equal(Secp256k1.PublicKey(key), recovered);
        }
    }

    [Fact]
    public void Recover_accepts_high_s_as_ecrecover_does()
    {
        var hash = Keccak.Hash256("high s"u8).ToArray();
        var signature = Secp256k1.Sign(hash, AnvilKey0, out int recoveryId);
        // (r, n - s) with the other recovery id is the same signature's mirror image.
        var high = signature.ToArray();
        Scalar(Order - ToInteger(signature.AsSpan(32))).CopyTo(high, 32);
        var recovered = new byte[64];
        Assert.True(Secp256k1.TryRecover(hash, high, recoveryId ^ 1, recovered));
        Assert.Equal(Secp256k1.PublicKey(AnvilKey0), recovered);
    }

    [Fact]
    public void Wrong_recovery_id_recovers_another_key_or_fails()
    {
        var hash = Keccak.Hash256("id"u8).ToArray();
        var signature = Secp256k1.Sign(hash, AnvilKey0, out int recoveryId);
        var recovered = new byte[64];
        if (Secp256k1.TryRecover(hash, signature, recoveryId ^ 1, recovered))
            Assert.NotEqual(Secp256k1.PublicKey(AnvilKey0), recovered);
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(4)]
    [InlineData(27)]
    public void Recovery_id_outside_0_to_3_is_rejected(int recoveryId)
    {
        var hash = Keccak.Hash256("x"u8).ToArray();
        var signature = Secp256k1.Sign(hash, AnvilKey0, out _);
        Assert.False(Secp256k1.TryRecover(hash, signature, recoveryId, new byte[64]));
    }

    [Fact]
    public void Zero_or_out_of_range_r_and_s_are_rejected()
    {
        var hash = Keccak.Hash256("x"u8).ToArray();
        var good = Secp256k1.Sign(hash, AnvilKey0, out int id);
        var output = new byte[64];
        foreach (var (r, s) in new[] { (BigInteger.Zero, ToInteger(good.AsSpan(32))), (ToInteger(good.AsSpan(0, 32)), BigInteger.Zero),
                     (Order, ToInteger(good.AsSpan(32))), (ToInteger(good.AsSpan(0, 32)), Order), (ToInteger(good.AsSpan(0, 32)), Order + 1) })
        {
            var signature = new byte[64];
            Scalar(r).CopyTo(signature, 0);
            Scalar(s).CopyTo(signature, 32);
            Assert.False(Secp256k1.TryRecover(hash, signature, id, output));
        }
    }

    [Fact]
    public void Inputs_of_the_wrong_length_are_rejected()
    {
        var hash = Keccak.Hash256("x"u8).ToArray();
        var signature = Secp256k1.Sign(hash, AnvilKey0, out int id);
        Assert.False(Secp256k1.TryRecover(hash.AsSpan(1), signature, id, new byte[64]));
        Assert.False(Secp256k1.TryRecover(hash, signature.AsSpan(1), id, new byte[64]));
        Assert.False(Secp256k1.TryRecover(hash, signature, id, new byte[63]));
    }

    [Fact]
    public void Invalid_private_keys_are_refused()
    {
        Assert.False(Secp256k1.IsValidPrivateKey(new byte[32]));
        Assert.False(Secp256k1.IsValidPrivateKey(Scalar(Order)));
        Assert.False(Secp256k1.IsValidPrivateKey(new byte[31]));
        Assert.True(Secp256k1.IsValidPrivateKey(Scalar(Order - 1)));
        Assert.Throws<ArgumentException>(() => Secp256k1.PublicKey(new byte[32]));
        Assert.Throws<ArgumentException>(() => Secp256k1.Sign(new byte[32], Scalar(Order), out _));
    }

    [Fact]
    public void Signing_and_recovering_from_many_threads_agree()
    {
        var hash = Keccak.Hash256("threads"u8).ToArray();
        var expected = Secp256k1.PublicKey(AnvilKey0);
        Parallel.For(0, 200, _ =>
        {
            var signature = Secp256k1.Sign(hash, AnvilKey0, out int id);
            var recovered = new byte[64];
            Assert.True(Secp256k1.TryRecover(hash, signature, id, recovered));
            Assert.Equal(expected, recovered);
        });
    }
}
