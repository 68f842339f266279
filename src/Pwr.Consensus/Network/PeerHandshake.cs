using System.Security.Cryptography;
using Pwr.Core;

namespace Pwr.Consensus.Network;

/// <summary>
/// The authenticated handshake every connection starts with, in both directions: each side sends a hello
/// (magic ‖ protocol version ‖ chain id ‖ Falcon-512 public key ‖ 32-byte random challenge), then an auth
/// (u16 length ‖ Falcon signature over Keccak("pwr-p2p-handshake" ‖ chainId ‖ peer's challenge ‖ Keccak(own key))).
/// A verified auth proves the peer holds the key, so its <see cref="PeerId"/> is Address.FromPublicKey(key).
/// </summary>
public static class PeerHandshake
{
    public const byte ProtocolVersion = 1;
    public const int ChallengeSize = 32;
    public const int HelloSize = 4 + 1 + 1 + Falcon512.PublicKeySize + ChallengeSize;
    /// <summary>The refusal message when a node dialled its own listening address.</summary>
    public const string SelfConnection = "connected to self";
    private static ReadOnlySpan<byte> Magic => "PWRP"u8;
    private static ReadOnlySpan<byte> Domain => "pwr-p2p-handshake"u8;

    /// <summary>A parsed hello.</summary>
    public sealed record Hello(byte Version, byte ChainId, byte[] PublicKey, byte[] Challenge);

    public static byte[] NewChallenge() => RandomNumberGenerator.GetBytes(ChallengeSize);

    public static byte[] EncodeHello(byte chainId, ReadOnlySpan<byte> publicKey, ReadOnlySpan<byte> challenge)
    {
        var bytes = new byte[HelloSize];
        var w = new BigEndianWriter(bytes);
        w.WriteBytes(Magic);
        w.WriteU8(ProtocolVersion);
        w.WriteU8(chainId);
        w.WriteBytes(publicKey);
        w.WriteBytes(challenge);
        return bytes;
    }

    public static bool TryDecodeHello(ReadOnlySpan<byte> bytes, out Hello? hello, out string error)
    {
        hello = null;
        if (bytes.Length != HelloSize || !bytes[..4].SequenceEqual(Magic)) { error = "not a PWR peer hello"; return false; }
        var key = bytes.Slice(6, Falcon512.PublicKeySize);
        if (!Falcon512.IsWellFormedPublicKey(key)) { error = "hello carries a malformed public key"; return false; }
        hello = new Hello(bytes[4], bytes[5], key.ToArray(), bytes[(6 + Falcon512.PublicKeySize)..].ToArray());
        error = "";
        return true;
    }

    /// <summary>The digest a node signs to prove its key to a peer that sent <paramref name="peerChallenge"/>.</summary>
    public static Hash32 AuthDigest(byte chainId, ReadOnlySpan<byte> peerChallenge, ReadOnlySpan<byte> signerPublicKey)
    {
        var hasher = new Keccak.Hasher();
        hasher.Update(Domain);
        hasher.Update([chainId]);
        hasher.Update(peerChallenge);
        hasher.Update(Keccak.Hash256(signerPublicKey).ToArray());
        return hasher.Finish();
    }

    public static byte[] EncodeAuth(FalconKeyPair key, byte chainId, ReadOnlySpan<byte> peerChallenge)
    {
        var signature = key.Sign(AuthDigest(chainId, peerChallenge, key.PublicKey).ToArray());
        var bytes = new byte[2 + signature.Length];
        var w = new BigEndianWriter(bytes);
        w.WriteU16((ushort)signature.Length);
        w.WriteBytes(signature);
        return bytes;
    }

    /// <summary>
    /// Runs both halves of the handshake over <paramref name="stream"/>; returns the proven peer address,
    /// or throws <see cref="InvalidDataException"/> with the reason (wrong chain, bad signature, connection to self).
    /// The caller bounds it with a timeout through <paramref name="ct"/>.
    /// </summary>
    public static async Task<Address> RunAsync(Stream stream, FalconKeyPair key, byte chainId, CancellationToken ct)
    {
        var challenge = NewChallenge();
        await stream.WriteAsync(EncodeHello(chainId, key.PublicKey, challenge), ct).ConfigureAwait(false);
        await stream.FlushAsync(ct).ConfigureAwait(false);

        var helloBytes = new byte[HelloSize];
        await stream.ReadExactlyAsync(helloBytes, ct).ConfigureAwait(false);
        if (!TryDecodeHello(helloBytes, out var hello, out var error)) throw new InvalidDataException(error);
        if (hello!.Version != ProtocolVersion) throw new InvalidDataException($"peer speaks protocol {hello.Version}, we speak {ProtocolVersion}");
        if (hello.ChainId != chainId) throw new InvalidDataException($"peer is on chain {hello.ChainId}, we are on {chainId}");
        var peer = Address.FromPublicKey(hello.PublicKey);
        if (peer == key.Address) throw new InvalidDataException(SelfConnection);

        await stream.WriteAsync(EncodeAuth(key, chainId, hello.Challenge), ct).ConfigureAwait(false);
        await stream.FlushAsync(ct).ConfigureAwait(false);

        var lengthBytes = new byte[2];
        await stream.ReadExactlyAsync(lengthBytes, ct).ConfigureAwait(false);
        int length = (lengthBytes[0] << 8) | lengthBytes[1];
        if (length is < Falcon512.MinSignatureSize or > Falcon512.MaxSignatureSize) throw new InvalidDataException($"handshake signature of {length} bytes");
        var signature = new byte[length];
        await stream.ReadExactlyAsync(signature, ct).ConfigureAwait(false);
        if (!Falcon512.Verify(hello.PublicKey, AuthDigest(chainId, challenge, hello.PublicKey).ToArray(), signature))
            throw new InvalidDataException($"handshake signature does not prove the key of {peer}");
        return peer;
    }
}
