using Pwr.Vm.Evm.Rlp;
using RlpCodec = Pwr.Vm.Evm.Rlp.Rlp;

namespace Pwr.Vm.Evm.Transactions;

/// <summary>A rejected transaction: the error, the RLP error beneath it if any, and the field being read.</summary>
public readonly record struct TransactionFailure(TransactionError Error, RlpError RlpError = RlpError.None, string? Field = null)
{
    public string Message => Error switch
    {
        TransactionError.None => "ok",
        TransactionError.Rlp => Field is null ? RlpCodec.Describe(RlpError) : $"{RlpCodec.Describe(RlpError)}, decoding {Field}",
        TransactionError.TypeNotSupported => "transaction type not supported",
        TransactionError.InvalidChainId => "invalid chain id for signer",
        TransactionError.InvalidSignatureValues => "invalid transaction v, r, s values",
        TransactionError.InvalidSender => "invalid sender",
        TransactionError.NonceOverflow => "rlp: input string too long for uint64, decoding nonce",
        TransactionError.GasLimitOverflow => "rlp: input string too long for uint64, decoding gas",
        TransactionError.ValueOverflow => $"rlp: value larger than 256 bits, decoding {Field}",
        TransactionError.AddressWrongSize => $"rlp: address must be 20 bytes, decoding {Field}",
        TransactionError.StorageKeyWrongSize => "rlp: storage key must be 32 bytes, decoding accessList",
        TransactionError.FeeProductOverflow => "gas limit * gas price overflows 256 bits",
        TransactionError.TipAboveFeeCap => "max priority fee per gas higher than max fee per gas",
        TransactionError.IntrinsicGasTooLow => "intrinsic gas too low",
        TransactionError.InitCodeTooLarge => "max initcode size exceeded",
        _ => "invalid transaction",
    };

    public override string ToString() => Message;
}
