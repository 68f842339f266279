using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace Pwr.Core;

/// <summary>secp256k1 ECDSA (Ethereum signatures) through the system's libsecp256k1 (Debian libsecp256k1-1, recovery module).</summary>
public static partial class Secp256k1
{
    private const string Library = "libsecp256k1.so.1";
    private const uint ContextNone = 1;        // SECP256K1_CONTEXT_NONE
    private const uint SerializeUncompressed = 2; // SECP256K1_EC_UNCOMPRESSED
    private const int OpaquePublicKeySize = 64;    // sizeof(secp256k1_pubkey)
    private const int OpaqueRecoverableSize = 65;  // sizeof(secp256k1_ecdsa_recoverable_signature)

    public const int PrivateKeySize = 32;
    public const int PublicKeySize = 64;
    public const int SignatureSize = 64;
    public const int MessageHashSize = 32;

    // One process-wide context, never destroyed: the library's functions are thread-safe on a const context, and
    // randomizing it once blinds the signing and key-generation scalar multiplications against side channels.
    private static readonly nint s_context = CreateContext();

    /// <summary>
    /// Recovers the 64-byte public key (x‖y) that signed <paramref name="messageHash32"/>, as the ECRECOVER precompile does:
    /// high s is accepted. False when r or s is zero or not below the group order, or the recovery id is not 0..3.
    /// </summary>
    public static unsafe bool TryRecover(ReadOnlySpan<byte> messageHash32, ReadOnlySpan<byte> signature64, int recoveryId, Span<byte> publicKey64)
    {
        if (messageHash32.Length != MessageHashSize || signature64.Length != SignatureSize || publicKey64.Length < PublicKeySize)
            return false;
        // The library treats a recovery id outside 0..3 as a programming error and aborts the process: check it here.
        if ((uint)recoveryId > 3) return false;

        byte* recoverable = stackalloc byte[OpaqueRecoverableSize];
        byte* publicKey = stackalloc byte[OpaquePublicKeySize];
        fixed (byte* sig = signature64)
        fixed (byte* hash = messageHash32)
        {
            if (secp256k1_ecdsa_recoverable_signature_parse_compact(s_context, recoverable, sig, recoveryId) != 1) return false;
            if (secp256k1_ecdsa_recover(s_context, publicKey, recoverable, hash) != 1) return false;
        }
        return SerializePublicKey(publicKey, publicKey64);
    }

    /// <summary>Signs a 32-byte hash with an RFC 6979 deterministic nonce; returns r‖s with s in the lower half of the order.</summary>
    public static unsafe byte[] Sign(ReadOnlySpan<byte> messageHash32, ReadOnlySpan<byte> privateKey32, out int recoveryId)
    {
        if (messageHash32.Length != MessageHashSize) throw new ArgumentException("the message hash must be 32 bytes", nameof(messageHash32));
        RequirePrivateKey(privateKey32);

        byte* recoverable = stackalloc byte[OpaqueRecoverableSize];
        var signature = new byte[SignatureSize];
        int id;
        fixed (byte* hash = messageHash32)
        fixed (byte* key = privateKey32)
        fixed (byte* output = signature)
        {
            // A null nonce function selects the library's RFC 6979 default; it always produces low s.
            if (secp256k1_ecdsa_sign_recoverable(s_context, recoverable, hash, key, 0, 0) != 1)
                throw new ArgumentException("the private key is not a valid secp256k1 scalar", nameof(privateKey32));
            secp256k1_ecdsa_recoverable_signature_serialize_compact(s_context, output, &id, recoverable);
        }
        recoveryId = id;
        return signature;
    }

    /// <summary>The 64-byte uncompressed public key (x‖y, no 0x04 prefix) of a private key.</summary>
    public static unsafe byte[] PublicKey(ReadOnlySpan<byte> privateKey32)
    {
        RequirePrivateKey(privateKey32);
        byte* publicKey = stackalloc byte[OpaquePublicKeySize];
        fixed (byte* key = privateKey32)
        {
            if (secp256k1_ec_pubkey_create(s_context, publicKey, key) != 1)
                throw new ArgumentException("the private key is not a valid secp256k1 scalar", nameof(privateKey32));
        }
        var result = new byte[PublicKeySize];
        SerializePublicKey(publicKey, result);
        return result;
    }

    /// <summary>True when the 32 bytes are a valid private key: not zero and below the group order.</summary>
    public static unsafe bool IsValidPrivateKey(ReadOnlySpan<byte> privateKey32)
    {
        if (privateKey32.Length != PrivateKeySize) return false;
        fixed (byte* key = privateKey32) return secp256k1_ec_seckey_verify(s_context, key) == 1;
    }

    /// <summary>The Ethereum address of a public key: the last 20 bytes of Keccak-256(x‖y).</summary>
    public static Address EthereumAddress(ReadOnlySpan<byte> publicKey64)
    {
        if (publicKey64.Length != PublicKeySize) throw new ArgumentException("the public key must be 64 bytes (x‖y)", nameof(publicKey64));
        Span<byte> hash = stackalloc byte[32];
        Keccak.Hash256(publicKey64, hash);
        return new Address(hash[12..]);
    }

    /// <summary>The Ethereum address of a private key's public key.</summary>
    public static Address EthereumAddressOfPrivateKey(ReadOnlySpan<byte> privateKey32) => EthereumAddress(PublicKey(privateKey32));

    private static void RequirePrivateKey(ReadOnlySpan<byte> privateKey32)
    {
        if (!IsValidPrivateKey(privateKey32))
            throw new ArgumentException("the private key must be 32 bytes, not zero and below the secp256k1 order", nameof(privateKey32));
    }

    private static unsafe bool SerializePublicKey(byte* opaque, Span<byte> publicKey64)
    {
        byte* serialized = stackalloc byte[65];
        nuint length = 65;
        if (secp256k1_ec_pubkey_serialize(s_context, serialized, &length, opaque, SerializeUncompressed) != 1 || length != 65) return false;
        new ReadOnlySpan<byte>(serialized + 1, PublicKeySize).CopyTo(publicKey64);
        return true;
    }

    private static unsafe nint CreateContext()
    {
        nint context;
        try
        {
            context = secp256k1_context_create(ContextNone);
        }
        catch (DllNotFoundException e)
        {
            throw new DllNotFoundException($"{Library} is missing: install Debian's libsecp256k1-1 (scripts/native-deps.sh does)", e);
        }
        if (context == 0) throw new InvalidOperationException("secp256k1_context_create failed");
        byte* seed = stackalloc byte[32];
        RandomNumberGenerator.Fill(new Span<byte>(seed, 32));
        if (secp256k1_context_randomize(context, seed) != 1) throw new InvalidOperationException("secp256k1_context_randomize failed");
        return context;
    }

    [LibraryImport(Library)]
    private static partial nint secp256k1_context_create(uint flags);

    [LibraryImport(Library)]
    private static unsafe partial int secp256k1_context_randomize(nint context, byte* seed32);

    [LibraryImport(Library)]
    private static unsafe partial int secp256k1_ec_seckey_verify(nint context, byte* secretKey);

    [LibraryImport(Library)]
    private static unsafe partial int secp256k1_ec_pubkey_create(nint context, byte* publicKey, byte* secretKey);

    [LibraryImport(Library)]
    private static unsafe partial int secp256k1_ec_pubkey_serialize(nint context, byte* output, nuint* outputLength, byte* publicKey, uint flags);

    [LibraryImport(Library)]
    private static unsafe partial int secp256k1_ecdsa_sign_recoverable(nint context, byte* signature, byte* messageHash32, byte* secretKey, nint nonceFunction, nint nonceData);

    [LibraryImport(Library)]
    private static unsafe partial int secp256k1_ecdsa_recoverable_signature_serialize_compact(nint context, byte* output64, int* recoveryId, byte* signature);

    [LibraryImport(Library)]
    private static unsafe partial int secp256k1_ecdsa_recoverable_signature_parse_compact(nint context, byte* signature, byte* input64, int recoveryId);

    [LibraryImport(Library)]
    private static unsafe partial int secp256k1_ecdsa_recover(nint context, byte* publicKey, byte* signature, byte* messageHash32);
}
