using System.Text;
using Org.BouncyCastle.Crypto.Digests;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Crypto.Prng;
using Org.BouncyCastle.Pqc.Crypto.Falcon;
using Org.BouncyCastle.Security;
using Pwr.Core;

namespace Pwr.Core.Tests;

/// <summary>Keys shared by the whole test assembly: Falcon key generation costs ~100 ms, so each is made once.</summary>
internal static class TestKeys
{
    public static readonly FalconKeyPair Alice = Falcon512.FromSeed(Encoding.UTF8.GetBytes("pwr-core-tests/alice"));
    public static readonly FalconKeyPair Bob = Falcon512.FromSeed(Encoding.UTF8.GetBytes("pwr-core-tests/bob"));

    /// <summary>
    /// A Falcon signature whose randomness comes from <paramref name="seed"/>, so a test that depends on the exact
    /// signature bytes (every prefix of one transaction) sees the same bytes on every run.
    /// </summary>
    public static byte[] SignDeterministic(FalconKeyPair key, ReadOnlySpan<byte> message, string seed)
    {
        var priv = key.PrivateKey;
        var parameters = new FalconPrivateKeyParameters(
            FalconParameters.falcon_512, priv[..384], priv[384..768], priv[768..], key.PublicKey[1..]);
        var random = new SecureRandom(new DigestRandomGenerator(new Sha256Digest()));
        random.SetSeed(Encoding.UTF8.GetBytes(seed));
        var signer = new FalconSigner();
        signer.Init(true, new ParametersWithRandom(parameters, random));
        return signer.GenerateSignature(message.ToArray());
    }

    /// <summary>Signs an unsigned encoding like <see cref="TransactionBuilder.Sign"/>, but reproducibly.</summary>
    public static byte[] SealDeterministic(byte[] unsignedTx, FalconKeyPair key, string seed)
    {
        var digest = Keccak.Hash256(unsignedTx).ToArray();
        return TransactionCodec.Seal(unsignedTx, SignDeterministic(key, digest, seed));
    }
}
