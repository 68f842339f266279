using System.Text;
using Microsoft.Extensions.Logging;
using Pwr.Core;
using Pwr.Storage;

namespace Pwr.Chain;

/// <summary>The base-layer ledger behind <see cref="IChainApplication"/>: admission, execution, storage, indexes.</summary>
public sealed partial class ChainApplication : IChainApplication, IDisposable
{
    private static readonly byte[] GenesisKey = "genesis"u8.ToArray();
    private readonly ChainDatabase _db;
    private readonly BlockExecutor _executor;
    private readonly ILogger _logger;
    private readonly object _commitLock = new();
    // One batch for every block commit (under _commitLock): RocksDB keeps its grown buffer across Clear.
    private StoreBatch? _commitBatch;
    private readonly FalconVerifierCache _verifiers = new();
    private readonly ValidatorSetHistory _validatorSets;
    private (Hash32 Hash, BlockExecution Execution, PreparedLedger Ledger)? _prepared;
    // FinalizeBlock's result, waiting for Commit.
    private (Block Block, (Hash32 Hash, BlockExecution Execution, PreparedLedger Ledger) Prepared)? _finalized;

    public ChainOptions Options { get; }
    public LedgerState Ledger { get; }
    public BlockStore Blocks { get; }
    public Mempool Mempool { get; }
    public Genesis Genesis { get; }
    /// <summary>The validator set of the next height (it changes only between heights, by stake).</summary>
    public ValidatorSet Validators => _validatorSets.Latest;
    /// <summary>Every stored validator set, by the first height it applies to.</summary>
    public ValidatorSetHistory ValidatorSets => _validatorSets;
    public byte ChainId => Options.ChainId;
    public BlockHeader LastHeader => Blocks.Head ?? throw new InvalidOperationException("genesis is not written");

    /// <summary>Raised after a block is durably committed, on the committing thread; handlers must be quick.</summary>
    public event Action<Block>? BlockCommitted;

    public ChainApplication(string dataDir, Genesis genesis, ChainOptions options, TimeProvider time, ILogger<ChainApplication> logger)
    {
        options.Validate();
        if (genesis.ChainId != options.ChainId) throw new ArgumentException($"genesis chain id {genesis.ChainId} differs from the options' {options.ChainId}");
        Options = options;
        _logger = logger;
        _db = new ChainDatabase(dataDir);
        Ledger = new LedgerState(_db);
        Blocks = new BlockStore(_db);
        Mempool = new Mempool(options, time);
        _executor = new BlockExecutor(options);
        Genesis = genesis;
        _validatorSets = new ValidatorSetHistory(_db);

        var genesisJson = Encoding.UTF8.GetBytes(genesis.ToJson());
        var stored = _db.Store.Get(_db.Meta, GenesisKey);
        if (stored is null) WriteGenesis(genesisJson);
        else if (!stored.AsSpan().SequenceEqual(genesisJson))
        {
            _db.Dispose();
            throw new InvalidOperationException($"the data directory '{dataDir}' holds a chain with another genesis; use another directory or reset it");
        }
        else if (_validatorSets.IsEmpty)
        {
            _db.Dispose();
            throw new InvalidOperationException($"the data directory '{dataDir}' was written before staking existed; reset it");
        }
    }

    private void WriteGenesis(byte[] genesisJson)
    {
        var accounts = Genesis.Accounts.ToDictionary(a => a.Address, a => new Account(a.Balance, 0, a.PublicKey));
        // Genesis validators start bonded with their power as self-stake.
        var staking = new StakingOverlay(Ledger.Staking);
        foreach (var v in Genesis.Validators) staking.Join(v.Address, v.PublicKey, v.Power, 0);
        var validators = new ValidatorSet(Genesis.Validators);
        var prepared = Ledger.Prepare(accounts, Genesis.VmOwners, staking);
        var header = new BlockHeader(0, Genesis.TimestampMs, Hash32.Zero, Address.Zero, Hash32.Zero, prepared.Root, validators.Hash);
        var block = new Block { Header = header, Transactions = [], Results = [] };
        using var batch = _db.Store.CreateBatch();
        Ledger.Stage(prepared, batch);
        _validatorSets.Stage(0, validators, batch);
        Blocks.Stage(block, batch);
        batch.Put(_db.Meta, GenesisKey, genesisJson);
        _db.Store.Write(batch);
        Ledger.Commit(prepared);
        Blocks.Commit(block);
        _validatorSets.Commit(0, validators);
        LogGenesis(_logger, header.Hash, Genesis.Accounts.Count);
    }

    public ValidatorSet GetValidators(ulong height) => _validatorSets.Get(height);

    public Block? GetBlock(ulong number)
    {
        if (Blocks.GetHeader(number) is not { } header) return null;
        var stored = Blocks.GetTransactions(number);
        var txs = new Transaction[stored.Count];
        var results = new TxResult[stored.Count];
        for (int i = 0; i < stored.Count; i++) (txs[i], results[i]) = (stored[i].Transaction, stored[i].Result);
        return new Block { Header = header, Transactions = txs, Results = results, Commit = Blocks.GetCommit(number) };
    }

    public AdmissionResult CheckTx(byte[] raw)
    {
        if (!TransactionCodec.TryDecode(raw, Options.MaxTransactionBytes, out var tx, out var error, out var message))
            return AdmissionResult.Reject(error == DecodeError.Oversized ? RejectReason.Oversized : RejectReason.Malformed, message);
        if (Mempool.Contains(tx.Hash))
            return AdmissionResult.Reject(RejectReason.AlreadyKnown, $"transaction {tx.Hash} is already known", tx.Hash);
        if (!CheckStateless(tx, out var reason, out message, out var fee))
            return AdmissionResult.Reject(reason, message, tx.Hash);

        var account = Ledger.GetAccount(tx.Sender);
        // A finalized transaction's nonce is below the account's, so only a stale nonce needs the (disk) index
        // lookup, and it is refused before paying for a signature check.
        if (tx.Nonce < account.Nonce)
            return Blocks.GetTransaction(tx.Hash) is not null
                ? AdmissionResult.Reject(RejectReason.AlreadyKnown, $"transaction {tx.Hash} is already known", tx.Hash)
                : AdmissionResult.Reject(RejectReason.NonceTooLow, $"nonce too low: {tx.Nonce}, the account's next nonce is {account.Nonce}", tx.Hash);
        byte[]? key;
        if (tx.Type == TransactionType.SetPublicKey)
        {
            if (account.PublicKey is not null)
                return AdmissionResult.Reject(RejectReason.PublicKeyAlreadySet, $"account {tx.Sender} already has a public key", tx.Hash);
            key = tx.PublicKey.ToArray();
            if (Address.FromPublicKey(key) != tx.Sender)
                return AdmissionResult.Reject(RejectReason.PublicKeyMismatch, $"the public key belongs to {Address.FromPublicKey(key)}, not the sender {tx.Sender}", tx.Hash);
        }
        else
        {
            key = account.PublicKey ?? Mempool.PendingPublicKey(tx.Sender);
            if (key is null)
                return AdmissionResult.Reject(RejectReason.NoPublicKey, $"account {tx.Sender} has no public key yet; its first transaction must be SetPublicKey (type 1001)", tx.Hash);
        }
        if (tx.Type == TransactionType.ClaimVmId && Ledger.GetVmOwner(tx.VmId) is { } owner)
            return AdmissionResult.Reject(RejectReason.VmIdAlreadyClaimed, $"VM ID {tx.VmId} is already claimed by {owner}", tx.Hash);
        if (!CheckStaking(tx, out var stakingReason, out message))
            return AdmissionResult.Reject(stakingReason, message, tx.Hash);
        if (_verifiers.Get(tx.Sender, key) is not { } verifier || !TransactionSignature.Verify(tx, verifier))
            return AdmissionResult.Reject(RejectReason.BadSignature, $"the signature does not verify against {tx.Sender}'s public key", tx.Hash);
        return Mempool.TryAdd(tx, key, fee, account);
    }

    /// <summary>Staking rules against the committed state: what would certainly fail in a block is refused here.</summary>
    private bool CheckStaking(Transaction tx, out RejectReason reason, out string message)
    {
        reason = RejectReason.InvalidStaking;
        message = "";
        var staking = Ledger.Staking;
        switch (tx.Type)
        {
            case TransactionType.JoinAsValidator:
                if (tx.Amount < Options.MinValidatorSelfStake) message = $"stake {tx.Amount} is below the minimum self-stake {Options.MinValidatorSelfStake}";
                else if (staking.GetValidator(tx.Sender) is { } existing)
                    message = existing.Tombstoned ? $"{tx.Sender} is tombstoned and can never validate again" : $"{tx.Sender} is already a validator; delegate to it to add stake";
                break;
            case TransactionType.Delegate:
                if (tx.Amount == 0) message = "amount must be at least 1 unit";
                else if (staking.GetValidator(tx.Validator) is not { } v) message = $"{tx.Validator} is not a validator";
                else if (v.Tombstoned) message = $"{tx.Validator} is tombstoned and takes no stake";
                break;
            case TransactionType.Undelegate:
                if (tx.Amount == 0) message = "amount must be at least 1 unit";
                else if (staking.GetValidator(tx.Validator) is null) message = $"{tx.Validator} is not a validator";
                else if (staking.GetShares(tx.Validator, tx.Sender) is var shares && shares < tx.Amount)
                    message = $"{tx.Sender} has {shares} staked with {tx.Validator}, less than {tx.Amount}";
                break;
            case TransactionType.DoubleSignEvidence:
                reason = RejectReason.InvalidEvidence;
                if (!DoubleSignEvidence.Verify(tx, ChainId, LastHeader.Number + 1, Options.UnbondingBlocks, GetValidators, staking.GetValidator, out _, out var error))
                    message = $"invalid evidence: {error}";
                break;
        }
        return message.Length == 0;
    }

    private bool CheckStateless(Transaction tx, out RejectReason reason, out string message, out ulong fee)
    {
        fee = 0;
        reason = default;
        message = "";
        if (tx.ChainId != Options.ChainId)
        {
            (reason, message) = (RejectReason.WrongChainId, $"wrong chain id {tx.ChainId}; this chain is {Options.ChainId}");
            return false;
        }
        if (tx.FeePerByte < Options.MinFeePerByte)
        {
            (reason, message) = (RejectReason.FeeTooLow, $"feePerByte {tx.FeePerByte} is below the minimum {Options.MinFeePerByte}");
            return false;
        }
        if (!tx.TryGetFee(out fee))
        {
            (reason, message) = (RejectReason.InsufficientBalance, "fee overflows: feePerByte × size exceeds 2^64 units");
            return false;
        }
        return true;
    }

    public Block PrepareProposal(ulong height, ulong timestampMs, Address proposer)
    {
        var head = LastHeader;
        if (height != head.Number + 1) throw new InvalidOperationException($"cannot propose {height}: the head is {head.Number}");
        var candidates = Mempool.Snapshot(Options.MaxBlockTransactions * 2);
        var exec = _executor.Execute(Ledger, new BlockContext(height, proposer, Validators, GetValidators), candidates);
        var prepared = Ledger.Prepare(exec.Accounts, exec.NewVmOwners, exec.Staking);
        var header = new BlockHeader(height, Math.Max(timestampMs, head.TimestampMs + 1), head.Hash, proposer,
            Block.ComputeTransactionsRoot(exec.Included), prepared.Root, Validators.Hash);
        _prepared = (header.Hash, exec, prepared);
        if (exec.Dropped.Count > 0) Mempool.OnBlockCommitted(exec.Dropped.Select(d => d.Tx), a => Ledger.GetAccount(a).Nonce);
        return new Block { Header = header, Transactions = exec.Included, Results = exec.Results };
    }

    public bool ProcessProposal(Block proposal, out string error)
    {
        var head = LastHeader;
        var h = proposal.Header;
        if (_prepared is { } p && p.Hash == h.Hash) { error = ""; return true; }
        if (h.Number != head.Number + 1 || h.PreviousHash != head.Hash) { error = $"block {h.Number} does not extend the head {head.Number} {head.Hash}"; return false; }
        if (h.TimestampMs <= head.TimestampMs) { error = "timestamp does not increase"; return false; }
        if (h.ValidatorSetHash != Validators.Hash) { error = "validator set hash differs"; return false; }
        if (h.TransactionsRoot != Block.ComputeTransactionsRoot(proposal.Transactions)) { error = "transactions root differs"; return false; }

        var candidates = new List<PendingTransaction>(proposal.Transactions.Count);
        var newKeys = new Dictionary<Address, byte[]>();
        List<int>? unverified = null;
        foreach (var tx in proposal.Transactions)
        {
            if (tx.Size > Options.MaxTransactionBytes) { error = $"transaction {tx.Hash} is oversized"; return false; }
            if (!CheckStateless(tx, out _, out var m, out var fee)) { error = $"transaction {tx.Hash}: {m}"; return false; }
            var key = tx.Type == TransactionType.SetPublicKey ? tx.PublicKey.ToArray()
                : Ledger.GetAccount(tx.Sender).PublicKey ?? newKeys.GetValueOrDefault(tx.Sender);
            if (key is null) { error = $"transaction {tx.Hash} has no valid signature"; return false; }
            // A transaction in our mempool has the same bytes (same hash) and its signature was checked at admission
            // against the same, immutable account key: re-verifying it would double the Falcon work per validator.
            if (!Mempool.Contains(tx.Hash)) (unverified ??= []).Add(candidates.Count);
            if (tx.Type == TransactionType.SetPublicKey) newKeys.TryAdd(tx.Sender, key);
            candidates.Add(new PendingTransaction(tx, key, fee, 0, 0));
        }
        // The rest (gossip has not delivered them yet) on every core: this is on the consensus critical path.
        if (unverified is not null && FirstBadSignature(candidates, unverified) is { } bad)
        { error = $"transaction {bad} has no valid signature"; return false; }
        var exec = _executor.Execute(Ledger, new BlockContext(h.Number, h.Proposer, Validators, GetValidators), candidates, strict: true);
        if (exec.Dropped.Count > 0 || exec.Included.Count != proposal.Transactions.Count) { error = $"transaction may not enter the block: {exec.Dropped.FirstOrDefault().Reason}"; return false; }
        var prepared = Ledger.Prepare(exec.Accounts, exec.NewVmOwners, exec.Staking);
        if (prepared.Root != h.StateRoot) { error = $"state root {h.StateRoot} differs from the executed {prepared.Root}"; return false; }
        _prepared = (h.Hash, exec, prepared);
        error = "";
        return true;
    }

    private Hash32? FirstBadSignature(List<PendingTransaction> candidates, List<int> indices)
    {
        int firstBad = int.MaxValue;
        Parallel.For(0, indices.Count, k =>
        {
            var c = candidates[indices[k]];
            if (_verifiers.Get(c.Tx.Sender, c.VerifiedKey) is not { } verifier || !TransactionSignature.Verify(c.Tx, verifier))
                InterlockedMin(ref firstBad, indices[k]);
        });
        return firstBad == int.MaxValue ? null : candidates[firstBad].Tx.Hash;

        static void InterlockedMin(ref int target, int value)
        {
            int seen;
            while (value < (seen = Volatile.Read(ref target)) && Interlocked.CompareExchange(ref target, value, seen) != seen) { }
        }
    }

    public Block FinalizeBlock(Block block)
    {
        if (block.Commit is null) throw new ArgumentException("a block needs its commit to be finalized");
        if (!block.Commit.Verify(GetValidators(block.Number), ChainId, block.Hash, block.Number, out var commitError))
            throw new InvalidOperationException($"block {block.Number} has an invalid commit: {commitError}");
        if (_prepared is not { } p || p.Hash != block.Hash)
        {
            if (!ProcessProposal(block, out var error)) throw new InvalidOperationException($"block {block.Number} is invalid: {error}");
            p = _prepared!.Value;
        }
        var finalized = new Block { Header = block.Header, Transactions = p.Execution.Included, Results = p.Execution.Results, Commit = block.Commit };
        _finalized = (finalized, p);
        return finalized;
    }

    public void Commit()
    {
        if (_finalized is not { } pending) throw new InvalidOperationException("Commit needs a block finalized by FinalizeBlock first");
        var (finalized, p) = pending;
        lock (_commitLock)
        {
            var batch = _commitBatch ??= _db.Store.CreateBatch();
            batch.Clear();
            Ledger.Stage(p.Ledger, batch);
            Blocks.Stage(finalized, batch);
            if (p.Execution.NextValidators is { } next) _validatorSets.Stage(finalized.Number + 1, next, batch);
            _db.Store.Write(batch, sync: true);
            Ledger.Commit(p.Ledger);
            Blocks.Commit(finalized);
            if (p.Execution.NextValidators is { } committed) _validatorSets.Commit(finalized.Number + 1, committed);
            _prepared = null;
            _finalized = null;
        }
        Mempool.OnBlockCommitted(finalized.Transactions, a => Ledger.GetAccount(a).Nonce);
        int evicted = Mempool.EvictExpiredIfDue();
        if (evicted > 0) LogEvicted(_logger, evicted);
        BlockCommitted?.Invoke(finalized);
    }

    /// <summary>Balances + bonded + unbonding: every unit not burned (a full scan; for tests and audits, not for hot paths).</summary>
    public ulong ComputeTotalSupply() => ComputeSupply().Total;

    /// <summary>Where the supply is: balances (a full scan of accounts), bonded, unbonding, and burned by slashing.</summary>
    public SupplyBreakdown ComputeSupply()
    {
        ulong balances = 0;
        foreach (var (_, value) in _db.Store.Scan(_db.Accounts, []))
            balances = checked(balances + Account.Decode(value).Balance);
        var totals = Ledger.Staking.Totals;
        return new SupplyBreakdown(balances, totals.Bonded, totals.Unbonding, totals.Burned);
    }

    public void Dispose()
    {
        lock (_commitLock) _commitBatch?.Dispose();
        _db.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Evicted {Count} expired mempool transactions")]
    private static partial void LogEvicted(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Information, Message = "Wrote genesis {Hash} with {Accounts} accounts")]
    private static partial void LogGenesis(ILogger logger, Hash32 hash, int accounts);
}
