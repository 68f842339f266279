namespace Pwr.Core;

/// <summary>Base-layer transaction types (DESIGN.md, "Base-layer transactions"; staking types from issue 5).</summary>
public enum TransactionType : uint
{
    SetPublicKey = 1001,
    Transfer = 1006,
    ClaimVmId = 1028,
    VmData = 1030,
    /// <summary>Body: initial self-stake u64. The sender becomes a validator candidate.</summary>
    JoinAsValidator = 1040,
    /// <summary>Body: validator 20 ‖ amount u64. Bonds the sender's PWR to a validator.</summary>
    Delegate = 1041,
    /// <summary>Body: validator 20 ‖ amount u64. Starts unbonding; the PWR returns after the unbonding period.</summary>
    Undelegate = 1042,
    /// <summary>Body: u32 len ‖ vote A ‖ u32 len ‖ vote B (two conflicting signed votes of one validator).</summary>
    DoubleSignEvidence = 1043,
}
