namespace Pwr.Vm.Token;

/// <summary>What one token transaction did; anything but <see cref="Ok"/> left the state unchanged.</summary>
public enum TokenResult
{
    Ok,
    /// <summary>Unknown op, truncated fields or trailing bytes.</summary>
    Malformed,
    /// <summary>Symbol not 1–12 characters of A–Z and 0–9.</summary>
    BadSymbol,
    SymbolExists,
    /// <summary>Transfer of zero.</summary>
    ZeroAmount,
    /// <summary>The sender holds less than the amount (or none at all, e.g. of a token that does not exist).</summary>
    InsufficientBalance,
}
