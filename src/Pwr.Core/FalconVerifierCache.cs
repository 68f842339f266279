using System.Collections.Concurrent;

namespace Pwr.Core;

/// <summary>
/// Prepared Falcon verifiers by owner address, so a sender's key is prepared once rather than per transaction.
/// Bounded: when full it starts over, which costs one preparation per sender again, never a wrong answer,
/// because an entry is used only when its key equals the key asked for.
/// </summary>
public sealed class FalconVerifierCache(int capacity = 20_000)
{
    private readonly ConcurrentDictionary<Address, FalconVerifier> _verifiers = new();

    public int Count => _verifiers.Count;

    /// <summary>The verifier for <paramref name="publicKey"/>, or null when the key is malformed.</summary>
    public FalconVerifier? Get(Address owner, ReadOnlySpan<byte> publicKey)
    {
        if (_verifiers.TryGetValue(owner, out var cached) && cached.PublicKey.SequenceEqual(publicKey)) return cached;
        var created = FalconVerifier.TryCreate(publicKey);
        if (created is null) return null;
        if (_verifiers.Count >= capacity) _verifiers.Clear();
        _verifiers[owner] = created;
        return created;
    }
}
