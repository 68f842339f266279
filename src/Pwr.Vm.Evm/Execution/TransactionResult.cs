using Pwr.Core;

namespace Pwr.Vm.Evm.Execution;

/// <summary>Why a transaction was rejected before execution (it then changes no state).</summary>
public enum TransactionError
{
    None,
    IntrinsicGasTooLow,
    NonceMismatch,
    NonceIsMax,
    InsufficientFunds,
    GasLimitAboveBlock,
    MaxFeeBelowBaseFee,
    PriorityFeeAboveMaxFee,
    SenderNotEoa,
    InitCodeTooLarge,
    BlobTransactionsUnsupported,
    UnsupportedType,
}

/// <summary>The outcome of one transaction: rejected, or executed with a receipt (status, gas, logs, output).</summary>
public sealed record TransactionResult
{
    public TransactionError Error { get; init; }
    /// <summary>Human-readable reason for a rejection.</summary>
    public string? ErrorMessage { get; init; }
    public bool IsValid => Error == TransactionError.None;
    /// <summary>Receipt status: true when the top-level call or create succeeded.</summary>
    public bool Success { get; init; }
    /// <summary>Gas charged to the sender after refunds.</summary>
    public long GasUsed { get; init; }
    public IReadOnlyList<LogEntry> Logs { get; init; } = [];
    /// <summary>Return data of a call, or revert data.</summary>
    public byte[] Output { get; init; } = [];
    /// <summary>Address of the contract a successful create transaction deployed.</summary>
    public Address? ContractAddress { get; init; }

    public static TransactionResult Rejected(TransactionError error, string message) => new() { Error = error, ErrorMessage = message };
}
