using System.Text;
using Pwr.Core;

namespace Pwr.Core.Tests;

public class FalconVerifierTests
{
    private static readonly byte[] s_message = Keccak.Hash256(Encoding.UTF8.GetBytes("prepared verifier message")).ToArray();
    private static readonly byte[] s_aliceSignature = TestKeys.SignDeterministic(TestKeys.Alice, s_message, "verifier-tests/alice");
    private static readonly byte[] s_bobSignature = TestKeys.SignDeterministic(TestKeys.Bob, s_message, "verifier-tests/bob");

    [Fact]
    public void Prepared_verifier_agrees_with_one_shot_verification()
    {
        var verifier = FalconVerifier.TryCreate(TestKeys.Alice.PublicKey)!;
        Assert.True(verifier.Verify(s_message, s_aliceSignature));
        Assert.False(verifier.Verify(s_message, s_bobSignature));
        var tampered = (byte[])s_aliceSignature.Clone();
        tampered[^1] ^= 0x10;
        Assert.Equal(Falcon512.Verify(TestKeys.Alice.PublicKey, s_message, tampered), verifier.Verify(s_message, tampered));
        Assert.False(verifier.Verify(s_message, s_aliceSignature.AsSpan(0, 20)));
    }

    [Fact]
    public void One_verifier_shared_by_many_threads_gives_every_answer_right()
    {
        var verifier = FalconVerifier.TryCreate(TestKeys.Alice.PublicKey)!;
        int wrong = 0;
        Parallel.For(0, 400, new ParallelOptions { MaxDegreeOfParallelism = 4 }, i =>
        {
            bool expected = i % 2 == 0;
            bool got = verifier.Verify(s_message, expected ? s_aliceSignature : s_bobSignature);
            if (got != expected) Interlocked.Increment(ref wrong);
        });
        Assert.Equal(0, wrong);
    }

    [Fact]
    public void Malformed_public_key_gives_no_verifier()
    {
        Assert.Null(FalconVerifier.TryCreate(TestKeys.Alice.PublicKey.AsSpan(1)));
        var wrongHeader = (byte[])TestKeys.Alice.PublicKey.Clone();
        wrongHeader[0] = 0x0A;
        Assert.Null(FalconVerifier.TryCreate(wrongHeader));
    }

    [Fact]
    public void Cache_reuses_a_senders_verifier_and_never_answers_for_another_key()
    {
        var cache = new FalconVerifierCache(capacity: 2);
        var owner = TestKeys.Alice.Address;
        var first = cache.Get(owner, TestKeys.Alice.PublicKey);
        Assert.Same(first, cache.Get(owner, TestKeys.Alice.PublicKey));
        // Same address, different key (a forged claim): a fresh verifier for the key given, not the cached one.
        var other = cache.Get(owner, TestKeys.Bob.PublicKey)!;
        Assert.True(other.PublicKey.SequenceEqual(TestKeys.Bob.PublicKey));
        Assert.False(other.Verify(s_message, s_aliceSignature));
        Assert.Null(cache.Get(owner, new byte[10]));
    }

    [Fact]
    public void Full_cache_starts_over_instead_of_growing()
    {
        var cache = new FalconVerifierCache(capacity: 2);
        for (int i = 0; i < 5; i++)
            Assert.NotNull(cache.Get(Address.ForVm((ulong)i), TestKeys.Alice.PublicKey));
        Assert.InRange(cache.Count, 1, 2);
    }
}
