namespace Pwr.Chain;

/// <summary>What executing an admitted transaction did: success, or failure with a reason (its fee is still charged).</summary>
public readonly record struct TxResult(bool Success, string? Error)
{
    public static readonly TxResult Ok = new(true, null);
    public static TxResult Fail(string error) => new(false, error);
}
