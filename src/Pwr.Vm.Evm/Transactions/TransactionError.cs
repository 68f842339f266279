namespace Pwr.Vm.Evm.Transactions;

/// <summary>Why a signed Ethereum transaction was rejected; <see cref="TransactionFailure.Message"/> words it like geth.</summary>
public enum TransactionError
{
    None = 0,
    /// <summary>Malformed RLP; <see cref="TransactionFailure.RlpError"/> and <see cref="TransactionFailure.Field"/> say where.</summary>
    Rlp,
    /// <summary>Type 3 (blob), type 0 in an envelope, or an unknown EIP-2718 type.</summary>
    TypeNotSupported,
    /// <summary>A legacy v or a typed chain id that does not name this chain.</summary>
    InvalidChainId,
    /// <summary>r or s zero or not below the group order, s above n/2 (EIP-2), or y parity not 0 or 1.</summary>
    InvalidSignatureValues,
    /// <summary>The signature does not recover to a public key.</summary>
    InvalidSender,
    /// <summary>A nonce wider than 64 bits.</summary>
    NonceOverflow,
    /// <summary>A gas limit wider than 64 bits.</summary>
    GasLimitOverflow,
    /// <summary>A value, gas price or fee wider than 256 bits.</summary>
    ValueOverflow,
    /// <summary>A recipient or access-list address that is not 20 bytes.</summary>
    AddressWrongSize,
    /// <summary>An access-list storage key that is not 32 bytes.</summary>
    StorageKeyWrongSize,
    /// <summary>gas limit × gas price (or fee cap) does not fit in 256 bits.</summary>
    FeeProductOverflow,
    /// <summary>EIP-1559 priority fee above the fee cap.</summary>
    TipAboveFeeCap,
    /// <summary>The gas limit is below the intrinsic gas (<see cref="IntrinsicGas"/>).</summary>
    IntrinsicGasTooLow,
    /// <summary>EIP-3860: contract-creation data longer than 49152 bytes.</summary>
    InitCodeTooLarge,
}
