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
}

/// <summary>
/// Applies transactions to an overlay of the ledger: nonce and fee first (a transaction that cannot pay its
/// fee or has the wrong nonce does not enter the block), then the body, which may fail and leave only the fee
/// charged. Fees go to the proposer, less the VM owner's share of VmData fees.
/// </summary>
public sealed class BlockExecutor(ChainOptions options)
{
    /// <summary>Executes candidates in order. Strict mode (checking someone else's block) stops at the first that may not enter.</summary>
    public BlockExecution Execute(LedgerState state, Address proposer, IEnumerable<PendingTransaction> candidates, bool strict = false)
    {
        var exec = new BlockExecution();
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
            PayFee(state, exec, proposer, tx, pending.Fee);
            exec.Results.Add(ApplyBody(state, exec, tx));
            exec.Included.Add(tx);
            exec.Bytes += tx.Size;
        }
        return exec;
    }

    private void PayFee(LedgerState state, BlockExecution exec, Address proposer, Transaction tx, ulong fee)
    {
        ulong ownerShare = 0;
        if (tx.Type == TransactionType.VmData && GetOwner(state, exec, tx.VmId) is { } owner)
        {
            ownerShare = (ulong)((UInt128)fee * (ulong)options.VmOwnerFeePercent / 100);
            Credit(state, exec, owner, ownerShare);
        }
        Credit(state, exec, proposer, fee - ownerShare);
    }

    private static TxResult ApplyBody(LedgerState state, BlockExecution exec, Transaction tx)
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
            default:
                return TxResult.Fail($"unknown transaction type {(uint)tx.Type}");
        }
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
