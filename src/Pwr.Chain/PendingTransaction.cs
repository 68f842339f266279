using Pwr.Core;

namespace Pwr.Chain;

/// <summary>An admitted transaction and the public key its signature was verified against.</summary>
public sealed class PendingTransaction(Transaction tx, byte[] verifiedKey, ulong fee, long sequence, long arrivalTicks)
{
    public Transaction Tx { get; } = tx;
    public byte[] VerifiedKey { get; } = verifiedKey;
    public ulong Fee { get; } = fee;
    /// <summary>Arrival order, used to order senders fairly in a block.</summary>
    public long Sequence { get; } = sequence;
    public long ArrivalTicks { get; } = arrivalTicks;
    public ulong Cost => Fee + Tx.Spend;
}
