using Pwr.Core;

namespace Pwr.Chain;

/// <summary>The outcome of executing candidate transactions for one block, before anything is written.</summary>
public sealed class BlockExecution
{
    public List<Transaction> Included { get; } = [];
    public List<TxResult> Results { get; } = [];
    /// <summary>Candidates that may not enter the block (stale nonce, fee no longer covered) with the reason.</summary>
    public List<(Transaction Tx, string Reason)> Dropped { get; } = [];
    public Dictionary<Address, Account> Accounts { get; } = [];
    public Dictionary<ulong, Address> NewVmOwners { get; } = [];
    public long Bytes { get; set; }
    /// <summary>Stake, unbonding and slashing changes of this block.</summary>
    public required StakingOverlay Staking { get; init; }
    /// <summary>The validator set for the next height when this block changes it; null when it stays.</summary>
    public ValidatorSet? NextValidators { get; set; }
    /// <summary>Where this block's fees went: VM owners' shares, the proposer's, and the validators' by power.</summary>
    public ulong VmOwnerFees { get; set; }
    public ulong ProposerFees { get; set; }
    public ulong ValidatorFees { get; set; }
    /// <summary>Fees after VM owners' shares, split at the end of the block.</summary>
    internal ulong FeePool { get; set; }
}

/// <summary>What executing a block needs besides the ledger: its height, proposer and the validator sets.</summary>
/// <param name="Validators">The set that signs this height (it shares the fees).</param>
/// <param name="SetAt">The set of any height up to this one (for evidence).</param>
public sealed record BlockContext(ulong Height, Address Proposer, ValidatorSet Validators, Func<ulong, ValidatorSet> SetAt);

/// <summary>
/// Applies transactions to an overlay of the ledger: nonce and fee first (a transaction that cannot pay its
/// fee or has the wrong nonce does not enter the block), then the body, which may fail and leave only the fee
/// charged. The VM owner's share of VmData fees is paid at once; the rest of the block's fees is split at its end,
/// half to the proposer and half to the height's validators by power (the rounding remainder to the proposer).
/// Unbonding entries that mature at the block's height are paid out before its transactions.
/// </summary>
public sealed class BlockExecutor(ChainOptions options)
{
    /// <summary>Executes candidates in order. Strict mode (checking someone else's block) stops at the first that may not enter.</summary>
    public BlockExecution Execute(LedgerState state, BlockContext context, IEnumerable<PendingTransaction> candidates, bool strict = false)
    {
        var exec = new BlockExecution { Staking = new StakingOverlay(state.Staking) };
        var proposer = context.Proposer;
        exec.Staking.ReleaseMatured(context.Height, (delegator, amount) => Credit(state, exec, delegator, amount));
        var blockedSenders = new HashSet<Address>();
        foreach (var pending in candidates)
        {
            var tx = pending.Tx;
            if (exec.Included.Count >= options.MaxBlockTransactions || exec.Bytes + tx.Size > options.MaxBlockBytes)
            {
                if (strict) { exec.Dropped.Add((tx, "block exceeds its size limits")); return exec; }
                break;
            }
            if (blockedSenders.Contains(tx.Sender)) continue;
            var sender = Get(state, exec, tx.Sender);
            string? dropReason = null;
            if (tx.Nonce != sender.Nonce) dropReason = tx.Nonce < sender.Nonce ? $"nonce {tx.Nonce} is below the account nonce {sender.Nonce}" : null;
            else if (tx.Type != TransactionType.SetPublicKey && (sender.PublicKey is null || !sender.PublicKey.AsSpan().SequenceEqual(pending.VerifiedKey)))
                dropReason = "the sender's public key is not the one the signature was checked against";
            else if (sender.Balance < pending.Fee) dropReason = $"balance {sender.Balance} cannot pay the fee {pending.Fee}";

            if (tx.Nonce > sender.Nonce && dropReason is null)
            {
                // A gap: an earlier nonce of this sender is missing; it waits for a later block.
                blockedSenders.Add(tx.Sender);
                if (strict) { exec.Dropped.Add((tx, $"nonce {tx.Nonce} is ahead of the account nonce {sender.Nonce}")); return exec; }
                continue;
            }
            if (dropReason is not null)
            {
                exec.Dropped.Add((tx, dropReason));
                blockedSenders.Add(tx.Sender);
                if (strict) return exec;
                continue;
            }

            sender = sender with { Balance = sender.Balance - pending.Fee, Nonce = sender.Nonce + 1 };
            exec.Accounts[tx.Sender] = sender;
            PayFee(state, exec, tx, pending.Fee);
            exec.Results.Add(ApplyBody(state, exec, context, tx));
            exec.Included.Add(tx);
            exec.Bytes += tx.Size;
        }
        DistributeFees(state, exec, context);
        if (exec.Staking.ValidatorsChanged
            && exec.Staking.ComputeActiveSet(options.MaxValidators, options.MinValidatorSelfStake) is { } next
            && next.Hash != context.Validators.Hash)
            exec.NextValidators = next;
        return exec;
    }

    private void PayFee(LedgerState state, BlockExecution exec, Transaction tx, ulong fee)
    {
        ulong ownerShare = 0;
        if (tx.Type == TransactionType.VmData && GetOwner(state, exec, tx.VmId) is { } owner)
        {
            ownerShare = (ulong)((UInt128)fee * (ulong)options.VmOwnerFeePercent / 100);
            Credit(state, exec, owner, ownerShare);
            exec.VmOwnerFees += ownerShare;
        }
        exec.FeePool = checked(exec.FeePool + (fee - ownerShare));
    }

    private static void DistributeFees(LedgerState state, BlockExecution exec, BlockContext context)
    {
        if (exec.FeePool == 0) return;
        var validators = context.Validators;
        ulong validatorsShare = exec.FeePool / 2, paid = 0;
        foreach (var v in validators.Validators)
        {
            ulong share = (ulong)((UInt128)validatorsShare * v.Power / validators.TotalPower);
            Credit(state, exec, v.Address, share);
            paid += share;
        }
        exec.ValidatorFees = paid;
        exec.ProposerFees = exec.FeePool - paid;
        Credit(state, exec, context.Proposer, exec.ProposerFees);
    }

    private TxResult ApplyBody(LedgerState state, BlockExecution exec, BlockContext context, Transaction tx)
    {
        var sender = exec.Accounts[tx.Sender];
        switch (tx.Type)
        {
            case TransactionType.SetPublicKey:
                if (sender.PublicKey is not null) return TxResult.Fail("public key already set for this account");
                exec.Accounts[tx.Sender] = sender with { PublicKey = tx.PublicKey.ToArray() };
                return TxResult.Ok;
            case TransactionType.Transfer:
                if (sender.Balance < tx.Amount) return TxResult.Fail($"insufficient balance: {sender.Balance} units after the fee, transfer needs {tx.Amount}");
                exec.Accounts[tx.Sender] = sender with { Balance = sender.Balance - tx.Amount };
                Credit(state, exec, tx.Receiver, tx.Amount);
                return TxResult.Ok;
            case TransactionType.ClaimVmId:
                if (GetOwner(state, exec, tx.VmId) is { } owner) return TxResult.Fail($"VM ID {tx.VmId} is already claimed by {owner}");
                exec.NewVmOwners[tx.VmId] = tx.Sender;
                return TxResult.Ok;
            case TransactionType.VmData:
                if (tx.Value == 0) return TxResult.Ok;
                if (sender.Balance < tx.Value) return TxResult.Fail($"insufficient balance: {sender.Balance} units after the fee, value needs {tx.Value}");
                exec.Accounts[tx.Sender] = sender with { Balance = sender.Balance - tx.Value };
                Credit(state, exec, Address.ForVm(tx.VmId), tx.Value);
                return TxResult.Ok;
            case TransactionType.JoinAsValidator:
                return Join(exec, context, tx, sender);
            case TransactionType.Delegate:
                return Delegate(exec, tx, sender);
            case TransactionType.Undelegate:
                return Undelegate(exec, context, tx);
            case TransactionType.DoubleSignEvidence:
                if (!DoubleSignEvidence.Verify(tx, options.ChainId, context.Height, options.UnbondingBlocks, context.SetAt, exec.Staking.GetValidator, out var offence, out var error))
                    return TxResult.Fail($"invalid evidence: {error}");
                exec.Staking.Slash(exec.Staking.GetValidator(offence.Validator)!, options.SlashPercent);
                return TxResult.Ok;
            default:
                return TxResult.Fail($"unknown transaction type {(uint)tx.Type}");
        }
    }

    private TxResult Join(BlockExecution exec, BlockContext context, Transaction tx, Account sender)
    {
        if (tx.Amount < options.MinValidatorSelfStake) return TxResult.Fail($"stake {tx.Amount} is below the minimum self-stake {options.MinValidatorSelfStake}");
        if (exec.Staking.GetValidator(tx.Sender) is { } existing)
            return TxResult.Fail(existing.Tombstoned ? $"{tx.Sender} is tombstoned and can never validate again" : $"{tx.Sender} is already a validator; delegate to it to add stake");
        if (sender.Balance < tx.Amount) return TxResult.Fail($"insufficient balance: {sender.Balance} units after the fee, stake needs {tx.Amount}");
        exec.Accounts[tx.Sender] = sender with { Balance = sender.Balance - tx.Amount };
        exec.Staking.Join(tx.Sender, sender.PublicKey!, tx.Amount, context.Height);
        return TxResult.Ok;
    }

    private static TxResult Delegate(BlockExecution exec, Transaction tx, Account sender)
    {
        if (tx.Amount == 0) return TxResult.Fail("amount must be at least 1 unit");
        if (exec.Staking.GetValidator(tx.Validator) is not { } v) return TxResult.Fail($"{tx.Validator} is not a validator");
        if (v.Tombstoned) return TxResult.Fail($"{tx.Validator} is tombstoned and takes no stake");
        if (sender.Balance < tx.Amount) return TxResult.Fail($"insufficient balance: {sender.Balance} units after the fee, delegation needs {tx.Amount}");
        exec.Accounts[tx.Sender] = sender with { Balance = sender.Balance - tx.Amount };
        exec.Staking.Delegate(v, tx.Sender, tx.Amount);
        return TxResult.Ok;
    }

    private TxResult Undelegate(BlockExecution exec, BlockContext context, Transaction tx)
    {
        if (tx.Amount == 0) return TxResult.Fail("amount must be at least 1 unit");
        if (exec.Staking.GetValidator(tx.Validator) is not { } v) return TxResult.Fail($"{tx.Validator} is not a validator");
        ulong shares = exec.Staking.GetShares(tx.Validator, tx.Sender);
        if (shares < tx.Amount) return TxResult.Fail($"{tx.Sender} has {shares} staked with {tx.Validator}, less than {tx.Amount}");
        exec.Staking.Undelegate(v, tx.Sender, tx.Amount, context.Height + options.UnbondingBlocks);
        return TxResult.Ok;
    }

    private static Account Get(LedgerState state, BlockExecution exec, Address address)
        => exec.Accounts.TryGetValue(address, out var a) ? a : state.GetAccount(address);

    private static void Credit(LedgerState state, BlockExecution exec, Address address, ulong amount)
    {
        if (amount == 0) return;
        var a = Get(state, exec, address);
        exec.Accounts[address] = a with { Balance = checked(a.Balance + amount) };
    }

    private static Address? GetOwner(LedgerState state, BlockExecution exec, ulong vmId)
        => exec.NewVmOwners.TryGetValue(vmId, out var o) ? o : state.GetVmOwner(vmId);
}
