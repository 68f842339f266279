using System.Numerics;
using Pwr.Core;

namespace Pwr.Vm.Evm.Transactions;

/// <summary>A decoded, signature-checked Ethereum transaction with its hashes and recovered sender.</summary>
public sealed record SignedTransaction : UnsignedTransaction
{
    /// <summary>v as encoded: 27/28, chainId·2+35/36 (legacy) or the y parity 0/1 (typed).</summary>
    public BigInteger V { get; init; }

    /// <summary>The recovery id (y parity) derived from v.</summary>
    public int YParity { get; init; }

    public BigInteger R { get; init; }

    public BigInteger S { get; init; }

    /// <summary>Keccak-256 of the payload the sender signed.</summary>
    public Hash32 SigningHash { get; init; }

    /// <summary>The transaction hash: Keccak-256 of the encoded transaction (type byte included for typed ones).</summary>
    public Hash32 Hash { get; init; }

    /// <summary>The Ethereum address recovered from the signature.</summary>
    public Address Sender { get; init; }

    /// <summary>The raw encoding this transaction was decoded from.</summary>
    public byte[] Encoded { get; init; } = [];
}
