namespace Pwr.Core;

/// <summary>Base-layer transaction types (DESIGN.md, "Base-layer transactions").</summary>
public enum TransactionType : uint
{
    SetPublicKey = 1001,
    Transfer = 1006,
    ClaimVmId = 1028,
    VmData = 1030,
}
