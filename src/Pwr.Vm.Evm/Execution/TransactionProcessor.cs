using Pwr.Core;
using Pwr.Vm.Evm.Numerics;
using Pwr.Vm.Evm.Tracing;

namespace Pwr.Vm.Evm.Execution;

/// <summary>Validates and executes Ethereum transactions (Cancun rules) against a <see cref="WorldState"/>:
/// buys gas, runs the call or create, refunds (EIP-3529), pays the coinbase the priority fee and finalizes.</summary>
/// <remarks>Run it on a thread with a large stack (<see cref="EvmThread"/>): calls nest up to 1025 frames deep.
/// After a block, <see cref="WorldState.CollectChanges"/> returns what to write to the backend.</remarks>
public sealed class TransactionProcessor
{
    private readonly WorldState _state;
    private readonly BlockContext _block;
    private readonly Evm _evm;

    public TransactionProcessor(WorldState state, BlockContext block)
    {
        _state = state;
        _block = block;
        _evm = new Evm(state, block);
    }

    public WorldState State => _state;

    /// <summary>Records the call frames of the transactions executed while set (null: no tracing, no cost).</summary>
    public CallTracer? Tracer
    {
        get => _evm.Tracer;
        set => _evm.Tracer = value;
    }

    /// <summary>Records the state each transaction executed while set looks at (geth's prestateTracer); null: no cost.</summary>
    public PrestateTracer? Prestate
    {
        get => _evm.Prestate;
        set => _evm.Prestate = value;
    }

    /// <summary>When contract code runs compiled instead of interpreted (the result is the same either way).</summary>
    public EvmCompilePolicy CompilePolicy
    {
        get => _evm.CompilePolicy;
        set => _evm.CompilePolicy = value;
    }

    /// <summary>Logs every opcode of the transactions executed while set (geth's struct logger); null: no cost.</summary>
    public StructLogger? Steps
    {
        get => _evm.Steps;
        set => _evm.Steps = value;
    }

    /// <summary>Collects the access list of the transactions executed while set (eth_createAccessList); null: no cost.</summary>
    public AccessListTracer? AccessList
    {
        get => _evm.AccessList;
        set => _evm.AccessList = value;
    }

    /// <summary>Intrinsic gas: 21000 (+32000 for a create), calldata bytes, access list, EIP-3860 init code words.</summary>
    public static long IntrinsicGas(EvmTransaction tx)
    {
        int keys = 0;
        foreach (var entry in tx.AccessList) keys += entry.StorageKeys.Count;
        return (long)Transactions.IntrinsicGas.Compute(tx.Data, tx.IsCreate, tx.AccessList.Count, keys);
    }

    /// <summary>Validates <paramref name="tx"/> and, when valid, executes it and finalizes its state changes.</summary>
    public TransactionResult Execute(EvmTransaction tx)
    {
        var rejection = Validate(tx, out var effectiveGasPrice, out long intrinsic);
        if (rejection is not null) return rejection;

        var sender = tx.Sender;
        if (_evm.Prestate is { } prestate)
        {
            // As geth's tracer sees the transaction start: before any gas is bought.
            prestate.LookupAccount(_state, sender);
            var target = tx.To ?? Evm.CreateAddress(sender, tx.Nonce);
            prestate.LookupAccount(_state, target);
            if (tx.To is null) prestate.Created(target);
            prestate.LookupAccount(_state, _block.Coinbase);
        }
        _evm.AccessList?.Begin(sender, tx.To ?? Evm.CreateAddress(sender, tx.Nonce));
        // Buy all gas up front; unused gas is paid back below.
        _state.SubtractBalance(sender, UInt256.Multiply(new UInt256((ulong)tx.GasLimit), effectiveGasPrice));

        _evm.BeginTransaction();
        _evm.Origin = sender;
        _evm.GasPrice = effectiveGasPrice;
        _evm.BlobHashes = tx.BlobVersionedHashes;

        // EIP-2929/2930/3651: sender, recipient, precompiles, coinbase and the access list start warm (WorldState
        // treats precompiles as always warm).
        _state.WarmAccount(sender);
        _state.WarmAccount(_block.Coinbase);
        foreach (var entry in tx.AccessList)
        {
            _state.WarmAccount(entry.Address);
            foreach (var key in entry.StorageKeys) _state.WarmSlot(entry.Address, key);
        }

        long gas = tx.GasLimit - intrinsic;
        CallResult result;
        Address? contractAddress = null;
        if (tx.To is { } to)
        {
            _state.WarmAccount(to);
            _state.SetNonce(sender, tx.Nonce + 1);
            var msg = new Message { Caller = sender, Recipient = to, CodeAddress = to, Value = tx.Value, Input = tx.Data, Gas = gas, Kind = CallKind.Call };
            result = _evm.Call(msg, transfersValue: true);
        }
        else
        {
            var address = Evm.CreateAddress(sender, tx.Nonce);
            var msg = new Message { Caller = sender, Value = tx.Value, Gas = gas, Kind = CallKind.Create };
            result = _evm.Create(msg, tx.Data, address, bumpNonce: true);
            if (result.Status == EvmStatus.Success) contractAddress = address;
        }

        long gasLeft = result.Status == EvmStatus.Failure ? 0 : result.GasLeft;
        long gasUsed = tx.GasLimit - gasLeft;
        long refund = Math.Min(Math.Max(_state.Refund, 0), gasUsed / 5);
        gasLeft += refund;
        gasUsed -= refund;
        _evm.Tracer?.EndTransaction(tx.GasLimit, gasUsed);

        _state.AddBalance(sender, UInt256.Multiply(new UInt256((ulong)gasLeft), effectiveGasPrice));
        var priorityFee = UInt256.Subtract(effectiveGasPrice, _block.BaseFee);
        _state.AddBalance(_block.Coinbase, UInt256.Multiply(new UInt256((ulong)gasUsed), priorityFee));

        var logs = result.Status == EvmStatus.Success ? _state.CopyLogs() : [];
        _state.FinalizeTransaction();
        _evm.Prestate?.Finish(_state);
        _evm.Steps?.EndTransaction(gasUsed, result.Status == EvmStatus.Success, result.Status == EvmStatus.Revert, result.Output);
        return new TransactionResult
        {
            Success = result.Status == EvmStatus.Success,
            GasUsed = gasUsed,
            Logs = logs,
            Output = result.Output,
            ContractAddress = contractAddress,
        };
    }

    private TransactionResult? Validate(EvmTransaction tx, out UInt256 effectiveGasPrice, out long intrinsic)
    {
        effectiveGasPrice = default;
        intrinsic = IntrinsicGas(tx);
        if (tx.Type == 3 || tx.BlobVersionedHashes.Count > 0)
            return TransactionResult.Rejected(TransactionError.BlobTransactionsUnsupported, "blob transactions (type 3) are not supported");
        if (tx.Type > 3)
            return TransactionResult.Rejected(TransactionError.UnsupportedType, $"transaction type {tx.Type} is not supported");
        if (tx.IsCreate && tx.Data.Length > Evm.MaxInitCodeSize)
            return TransactionResult.Rejected(TransactionError.InitCodeTooLarge, $"init code of {tx.Data.Length} bytes exceeds {Evm.MaxInitCodeSize}");
        if (tx.GasLimit < intrinsic)
            return TransactionResult.Rejected(TransactionError.IntrinsicGasTooLow, $"gas limit {tx.GasLimit} below intrinsic gas {intrinsic}");
        if (tx.GasLimit > _block.GasLimit)
            return TransactionResult.Rejected(TransactionError.GasLimitAboveBlock, $"gas limit {tx.GasLimit} above block gas limit {_block.GasLimit}");

        UInt256 maxFee;
        if (tx.Type == 2)
        {
            if (UInt256.LessThan(tx.MaxFeePerGas, tx.MaxPriorityFeePerGas))
                return TransactionResult.Rejected(TransactionError.PriorityFeeAboveMaxFee, "max priority fee per gas above max fee per gas");
            if (UInt256.LessThan(tx.MaxFeePerGas, _block.BaseFee))
                return TransactionResult.Rejected(TransactionError.MaxFeeBelowBaseFee, "max fee per gas below block base fee");
            maxFee = tx.MaxFeePerGas;
            var tip = UInt256.Subtract(tx.MaxFeePerGas, _block.BaseFee);
            if (UInt256.LessThan(tx.MaxPriorityFeePerGas, tip)) tip = tx.MaxPriorityFeePerGas;
            effectiveGasPrice = UInt256.Add(_block.BaseFee, tip);
        }
        else
        {
            if (UInt256.LessThan(tx.GasPrice, _block.BaseFee))
                return TransactionResult.Rejected(TransactionError.MaxFeeBelowBaseFee, "gas price below block base fee");
            maxFee = tx.GasPrice;
            effectiveGasPrice = tx.GasPrice;
        }

        ulong nonce = _state.GetNonce(tx.Sender);
        if (nonce == ulong.MaxValue)
            return TransactionResult.Rejected(TransactionError.NonceIsMax, "sender nonce is at its maximum");
        if (tx.Nonce != nonce)
            return TransactionResult.Rejected(TransactionError.NonceMismatch, $"nonce {tx.Nonce} does not match sender nonce {nonce}");
        var codeHash = _state.GetCodeHash(tx.Sender);
        if (codeHash != AccountState.EmptyCodeHash)
            return TransactionResult.Rejected(TransactionError.SenderNotEoa, "sender has code (EIP-3607)");

        // balance >= gasLimit * maxFee + value, computed without wrapping.
        Span<ulong> product = stackalloc ulong[8];
        UInt256.MultiplyFull(new UInt256((ulong)tx.GasLimit), maxFee, product);
        var cost = UInt256.AddWithCarry(new UInt256(product[0], product[1], product[2], product[3]), tx.Value, out bool carry);
        bool overflow = carry || (product[4] | product[5] | product[6] | product[7]) != 0;
        if (overflow || UInt256.LessThan(_state.GetBalance(tx.Sender), cost))
            return TransactionResult.Rejected(TransactionError.InsufficientFunds, "insufficient funds for gas * price + value");
        return null;
    }
}
