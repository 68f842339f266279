namespace Pwr.Chain;

/// <summary>Why a transaction was refused admission (it never reaches a block).</summary>
public enum RejectReason
{
    Malformed,
    Oversized,
    WrongChainId,
    FeeTooLow,
    BadSignature,
    NoPublicKey,
    PublicKeyMismatch,
    PublicKeyAlreadySet,
    NonceTooLow,
    NonceTooFarAhead,
    InsufficientBalance,
    AlreadyKnown,
    NonceAlreadyPending,
    VmIdAlreadyClaimed,
    MempoolFull,
    /// <summary>A staking transaction that would fail against the committed stakes (unknown validator, too little stake...).</summary>
    InvalidStaking,
    /// <summary>Double-sign evidence that does not prove a slashable offence.</summary>
    InvalidEvidence,
}

/// <summary>The answer to a broadcast: accepted with its hash, or refused with a reason and a message.</summary>
public sealed record AdmissionResult(bool Accepted, Core.Hash32 Hash, RejectReason? Reason, string Message)
{
    public static AdmissionResult Accept(Core.Hash32 hash) => new(true, hash, null, "");
    public static AdmissionResult Reject(RejectReason reason, string message, Core.Hash32 hash = default) => new(false, hash, reason, message);
}
