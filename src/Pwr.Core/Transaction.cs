namespace Pwr.Core;

/// <summary>A decoded, signed base-layer transaction. Fields not used by its type are zero or empty.</summary>
public sealed class Transaction
{
    public const int HeaderSize = 4 + 1 + 4 + 8 + Address.Size; // type, chainId, nonce, feePerByte, sender

    public required TransactionType Type { get; init; }
    public required byte ChainId { get; init; }
    public required uint Nonce { get; init; }
    public required ulong FeePerByte { get; init; }
    public required Address Sender { get; init; }

    /// <summary>SetPublicKey: the 897-byte Falcon-512 key.</summary>
    public ReadOnlyMemory<byte> PublicKey { get; init; }
    /// <summary>Transfer: receiver and amount in units (1 PWR = 10^9 units).</summary>
    public Address Receiver { get; init; }
    public ulong Amount { get; init; }
    /// <summary>ClaimVmId and VmData: the VM ID.</summary>
    public ulong VmId { get; init; }
    /// <summary>VmData: opaque payload for the VM, and the PWR value it moves to the VM.</summary>
    public ReadOnlyMemory<byte> Data { get; init; }
    public ulong Value { get; init; }
    /// <summary>Delegate and Undelegate: the validator (JoinAsValidator and both use <see cref="Amount"/> as the stake).</summary>
    public Address Validator { get; init; }
    /// <summary>DoubleSignEvidence: the two encoded signed votes, opaque at this layer.</summary>
    public ReadOnlyMemory<byte> VoteA { get; init; }
    public ReadOnlyMemory<byte> VoteB { get; init; }

    public required ReadOnlyMemory<byte> Signature { get; init; }
    /// <summary>The full signed encoding, exactly as received.</summary>
    public required byte[] Raw { get; init; }
    public required int UnsignedLength { get; init; }
    public required Hash32 Hash { get; init; }

    public ReadOnlySpan<byte> Unsigned => Raw.AsSpan(0, UnsignedLength);
    public int Size => Raw.Length;

    /// <summary>Fee in units: feePerByte × signed size; false on overflow.</summary>
    public bool TryGetFee(out ulong fee)
    {
        UInt128 f = (UInt128)FeePerByte * (ulong)Raw.Length;
        fee = (ulong)f;
        return f <= ulong.MaxValue;
    }

    /// <summary>What this transaction takes from the sender beyond the fee.</summary>
    public ulong Spend => Type switch
    {
        TransactionType.Transfer => Amount,
        TransactionType.VmData => Value,
        TransactionType.JoinAsValidator => Amount,
        TransactionType.Delegate => Amount,
        _ => 0,
    };
}
