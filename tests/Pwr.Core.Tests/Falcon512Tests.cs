using System.Text;
using Pwr.Core;

namespace Pwr.Core.Tests;

public class Falcon512Tests
{
    private static readonly byte[] s_message = Keccak.Hash256(Encoding.UTF8.GetBytes("falcon test message")).ToArray();
    private static readonly byte[] s_signature = TestKeys.SignDeterministic(TestKeys.Alice, s_message, "falcon-tests");

    [Fact]
    public void Signature_verifies_with_the_signers_key_only_and_for_the_signed_message_only()
    {
        var signature = TestKeys.Alice.Sign(s_message);
        Assert.True(Falcon512.Verify(TestKeys.Alice.PublicKey, s_message, signature));
        Assert.False(Falcon512.Verify(TestKeys.Bob.PublicKey, s_message, signature));
        var other = (byte[])s_message.Clone();
        other[0] ^= 1;
        Assert.False(Falcon512.Verify(TestKeys.Alice.PublicKey, other, signature));
    }

    [Fact]
    public void Signatures_are_compressed_falcon_512_within_the_declared_size_bounds()
    {
        for (int i = 0; i < 20; i++)
        {
            var signature = TestKeys.Alice.Sign(s_message);
            Assert.Equal(0x39, signature[0]);
            Assert.InRange(signature.Length, Falcon512.MinSignatureSize, Falcon512.MaxSignatureSize);
            Assert.True(Falcon512.IsWellFormedSignature(signature));
        }
    }

    [Fact]
    public void Public_key_has_the_wire_encoding()
    {
        Assert.Equal(Falcon512.PublicKeySize, TestKeys.Alice.PublicKey.Length);
        Assert.Equal(Falcon512.PublicKeyHeader, TestKeys.Alice.PublicKey[0]);
        Assert.True(Falcon512.IsWellFormedPublicKey(TestKeys.Alice.PublicKey));
        Assert.Equal(Address.FromPublicKey(TestKeys.Alice.PublicKey), TestKeys.Alice.Address);
    }

    [Fact]
    public void Verify_returns_false_and_never_throws_on_garbage_keys_and_signatures_of_random_lengths()
    {
        var random = new Random(12345);
        for (int i = 0; i < 2_000; i++)
        {
            // Mix arbitrary lengths with inputs that pass the cheap shape checks, so BouncyCastle's decoders see garbage too.
            var key = new byte[i % 3 == 0 ? random.Next(0, 2_000) : Falcon512.PublicKeySize];
            random.NextBytes(key);
            if (i % 2 == 0 && key.Length > 0) key[0] = Falcon512.PublicKeyHeader;
            if (i % 7 == 0) key = TestKeys.Alice.PublicKey;

            var signature = new byte[i % 3 == 1 ? random.Next(0, 2_000) : random.Next(Falcon512.MinSignatureSize, Falcon512.MaxSignatureSize + 1)];
            random.NextBytes(signature);
            if (i % 4 != 3 && signature.Length > 0) signature[0] = 0x39;
            if (i % 11 == 0) signature = s_signature;

            var message = new byte[random.Next(0, 64)];
            random.NextBytes(message);

            Assert.False(Falcon512.Verify(key, message, signature), $"iteration {i} verified");
        }
    }

    [Fact]
    public void Verify_of_a_real_signature_under_a_garbage_key_of_the_right_shape_is_false()
    {
        var random = new Random(99);
        for (int i = 0; i < 50; i++)
        {
            var key = new byte[Falcon512.PublicKeySize];
            random.NextBytes(key);
            key[0] = Falcon512.PublicKeyHeader;
            Assert.False(Falcon512.Verify(key, s_message, s_signature));
        }
        var allOnes = Enumerable.Repeat((byte)0xFF, Falcon512.PublicKeySize).ToArray();
        allOnes[0] = Falcon512.PublicKeyHeader; // every coefficient ≥ q: an invalid packed h
        Assert.False(Falcon512.Verify(allOnes, s_message, s_signature));
    }

    [Fact]
    public void Same_seed_gives_the_same_key_and_different_seeds_give_different_keys()
    {
        var a = Falcon512.FromSeed(Encoding.UTF8.GetBytes("pwr-core-tests/alice"));
        Assert.Equal(TestKeys.Alice.PublicKey, a.PublicKey);
        Assert.Equal(TestKeys.Alice.PrivateKey, a.PrivateKey);
        Assert.NotEqual(TestKeys.Alice.PublicKey, TestKeys.Bob.PublicKey);
    }

    [Fact]
    public void Key_restored_from_its_private_key_signs_verifiably()
    {
        Assert.Equal(FalconKeyPair.PrivateKeySize, TestKeys.Alice.PrivateKey.Length);
        var restored = FalconKeyPair.FromPrivateKey(TestKeys.Alice.PrivateKey, TestKeys.Alice.PublicKey);
        Assert.Equal(TestKeys.Alice.Address, restored.Address);
        Assert.True(Falcon512.Verify(TestKeys.Alice.PublicKey, s_message, restored.Sign(s_message)));
    }

    [Fact]
    public void Private_key_of_the_wrong_size_is_refused()
    {
        var e = Assert.Throws<ArgumentException>(() => FalconKeyPair.FromPrivateKey(new byte[100], TestKeys.Alice.PublicKey));
        Assert.Contains("1280", e.Message);
    }

    [Fact]
    public void Seeded_test_signatures_are_reproducible_and_valid()
    {
        // The prefix tests rely on this: with a fixed signature their outcome cannot change from run to run.
        var again = TestKeys.SignDeterministic(TestKeys.Alice, s_message, "falcon-tests");
        Assert.Equal(s_signature, again);
        Assert.True(Falcon512.Verify(TestKeys.Alice.PublicKey, s_message, again));
    }
}
