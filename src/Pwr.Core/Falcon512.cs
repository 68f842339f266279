using Org.BouncyCastle.Crypto.Digests;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Crypto.Prng;
using Org.BouncyCastle.Pqc.Crypto.Falcon;
using Org.BouncyCastle.Security;

namespace Pwr.Core;

/// <summary>Falcon-512 signatures (BouncyCastle), with the key and signature encodings PWR uses on the wire.</summary>
public static class Falcon512
{
    /// <summary>Encoded public key: header byte 0x09 (Falcon, logn = 9) then the 896-byte packed h.</summary>
    public const int PublicKeySize = 897;
    public const byte PublicKeyHeader = 0x09;
    /// <summary>Upper bound of a compressed Falcon-512 signature (NIST round 3 CRYPTO_BYTES).</summary>
    public const int MaxSignatureSize = 690;
    /// <summary>Header byte, 40-byte nonce and at least one byte of compressed s2.</summary>
    public const int MinSignatureSize = 42;
    internal const int RawPublicKeySize = 896;

    public static bool IsWellFormedPublicKey(ReadOnlySpan<byte> publicKey)
        => publicKey.Length == PublicKeySize && publicKey[0] == PublicKeyHeader;

    public static bool IsWellFormedSignature(ReadOnlySpan<byte> signature)
        => signature.Length is >= MinSignatureSize and <= MaxSignatureSize && signature[0] == 0x39;

    /// <summary>Verifies a signature; malformed keys or signatures verify as false, never throw.</summary>
    public static bool Verify(ReadOnlySpan<byte> publicKey, ReadOnlySpan<byte> message, ReadOnlySpan<byte> signature)
        => FalconVerifier.TryCreate(publicKey) is { } verifier && verifier.Verify(message, signature);

    /// <summary>Makes a fresh key pair from the system's secure random source.</summary>
    public static FalconKeyPair Generate() => Generate(new SecureRandom());

    /// <summary>
    /// Derives a key pair deterministically from a seed (devnet accounts, benchmark senders): the same seed
    /// gives the same key on every machine. Never use a guessable seed for real funds.
    /// </summary>
    public static FalconKeyPair FromSeed(ReadOnlySpan<byte> seed)
    {
        var random = new SecureRandom(new DigestRandomGenerator(new Sha256Digest()));
        random.SetSeed(seed.ToArray());
        return Generate(random);
    }

    private static FalconKeyPair Generate(SecureRandom random)
    {
        var generator = new FalconKeyPairGenerator();
        generator.Init(new FalconKeyGenerationParameters(random, FalconParameters.falcon_512));
        var pair = generator.GenerateKeyPair();
        var priv = (FalconPrivateKeyParameters)pair.Private;
        var pub = (FalconPublicKeyParameters)pair.Public;
        return new FalconKeyPair(EncodePublic(pub.GetEncoded()), priv.GetSpolyLittleF(), priv.GetG(), priv.GetSpolyBigF());
    }

    internal static byte[] EncodePublic(byte[] h)
    {
        var encoded = new byte[PublicKeySize];
        encoded[0] = PublicKeyHeader;
        h.CopyTo(encoded, 1);
        return encoded;
    }
}

/// <summary>A Falcon-512 key pair able to sign; the public key is in its 897-byte wire encoding.</summary>
public sealed class FalconKeyPair
{
    public const int PrivateKeySize = 1280; // f (384) ‖ g (384) ‖ F (512)
    private readonly FalconPrivateKeyParameters _private;

    public FalconKeyPair(byte[] publicKey, byte[] f, byte[] g, byte[] bigF)
    {
        if (!Falcon512.IsWellFormedPublicKey(publicKey)) throw new ArgumentException("not a Falcon-512 public key (897 bytes starting 0x09)", nameof(publicKey));
        PublicKey = publicKey;
        _private = new FalconPrivateKeyParameters(FalconParameters.falcon_512, f, g, bigF, publicKey[1..]);
        Address = Address.FromPublicKey(publicKey);
    }

    public byte[] PublicKey { get; }
    public Address Address { get; }

    public byte[] PrivateKey => _private.GetEncoded();

    public static FalconKeyPair FromPrivateKey(ReadOnlySpan<byte> privateKey, ReadOnlySpan<byte> publicKey)
    {
        if (privateKey.Length != PrivateKeySize) throw new ArgumentException($"a Falcon-512 private key has {PrivateKeySize} bytes, got {privateKey.Length}");
        return new FalconKeyPair(publicKey.ToArray(), privateKey[..384].ToArray(), privateKey[384..768].ToArray(), privateKey[768..].ToArray());
    }

    /// <summary>Signs a message (PWR signs Keccak-256 of the unsigned transaction). Thread-safe; ~2 ms each.</summary>
    public byte[] Sign(ReadOnlySpan<byte> message)
    {
        var signer = new FalconSigner();
        signer.Init(true, new ParametersWithRandom(_private, new SecureRandom()));
        return signer.GenerateSignature(message.ToArray());
    }
}

/// <summary>
/// A Falcon-512 public key prepared once for many verifications. Preparing costs more than people expect
/// (BouncyCastle copies the key and seeds a SecureRandom it never uses for verifying), so hot paths keep
/// one per sender. Thread-safe: verification allocates its working arrays per call.
/// </summary>
public sealed class FalconVerifier
{
    private readonly FalconSigner _signer = new();
    private readonly byte[] _publicKey;

    private FalconVerifier(byte[] publicKey)
    {
        _publicKey = publicKey;
        _signer.Init(false, new FalconPublicKeyParameters(FalconParameters.falcon_512, publicKey[1..]));
    }

    /// <summary>The 897-byte wire encoding this verifier checks against.</summary>
    public ReadOnlySpan<byte> PublicKey => _publicKey;

    /// <summary>A verifier for a well-formed public key, or null for anything else.</summary>
    public static FalconVerifier? TryCreate(ReadOnlySpan<byte> publicKey)
    {
        if (!Falcon512.IsWellFormedPublicKey(publicKey)) return null;
        try { return new FalconVerifier(publicKey.ToArray()); }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or IndexOutOfRangeException) { return null; }
    }

    /// <summary>Verifies a signature; malformed signatures verify as false, never throw.</summary>
    public bool Verify(ReadOnlySpan<byte> message, ReadOnlySpan<byte> signature)
    {
        if (!Falcon512.IsWellFormedSignature(signature)) return false;
        try { return _signer.VerifySignature(message.ToArray(), signature.ToArray()); }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or IndexOutOfRangeException) { return false; }
    }
}
