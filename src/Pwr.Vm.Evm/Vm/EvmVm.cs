using System.Buffers.Binary;
using Pwr.Core;
using Pwr.Vm.Evm.Execution;
using Pwr.Vm.Evm.Numerics;
using Pwr.Vm.Evm.Transactions;
using Pwr.Vm.Evm.Trie;

namespace Pwr.Vm.Evm.Vm;

/// <summary>
/// The EVM as a PWR VM: each finalized base-layer block becomes one EVM block (same number, timestamp in seconds) that
/// executes the signed Ethereum transactions carried in this VM's VmData payloads, in block order (Cancun rules).
/// </summary>
/// <remarks>
/// <para>Payloads (<see cref="EvmPayload"/>): a list of (u32 BE length ‖ signed Ethereum transaction); or exactly a 20-byte
/// EVM address with a PWR value &gt; 0, a deposit crediting value × <see cref="EvmVmOptions.WeiPerPwrUnit"/> wei.</para>
/// <para>An inner transaction that cannot run (bad encoding or signature, wrong chain id, nonce, funds, intrinsic gas...)
/// is skipped and recorded under its hash with the reason, without a receipt; a payload that does not split is recorded
/// the same way under Keccak-256 of the whole payload.</para>
/// <para>The root is Ethereum's Merkle-Patricia state root (<see cref="EvmStateStore"/>). Genesis (the ten
/// <see cref="AnvilAccounts"/> with 10,000 ETH each, as EVM block 0) is written when block 1 executes. Layout of
/// everything stored: <see cref="EvmStateKeys"/>.</para>
/// </remarks>
public sealed class EvmVm : IVirtualMachine
{
    private readonly EvmVmOptions _options;
    // Code, analysed and (when hot) compiled, kept from block to block.
    private readonly CodeInfoCache _codes = new();

    public EvmVm(ulong vmId, EvmVmOptions? options = null)
    {
        VmId = vmId;
        _options = options ?? new EvmVmOptions();
        _options.Validate();
    }

    public ulong VmId { get; }

    public EvmVmOptions Options => _options;

    public void ExecuteBlock(VmBlock block, IVmState state)
    {
        ArgumentNullException.ThrowIfNull(block);
        ArgumentNullException.ThrowIfNull(state);
        // Calls nest up to 1025 frames, each recursing on the CLR stack: run on a thread with a stack that fits them.
        EvmThread.Run(() =>
        {
            Execute(block, state);
            return 0;
        });
    }

    public Hash32 StateRoot(IVmState state) => EvmStateStore.ReadRoot(state) ?? PatriciaRoot.Empty;

    /// <summary>The state root after genesis, before any block (the ten funded Anvil accounts).</summary>
    public static IReadOnlyList<AccountChange> GenesisAlloc()
    {
        var balance = UInt256.FromBigInteger(AnvilAccounts.GenesisBalanceWei);
        return AnvilAccounts.Addresses.Order()
            .Select(a => new AccountChange(a, false, 0, balance, AccountState.EmptyCodeHash, null, false, []))
            .ToList();
    }

    private void Execute(VmBlock block, IVmState state)
    {
        var chain = new EvmChainReader(state);
        if (EvmStateStore.ReadRoot(state) is null) WriteGenesis(state);
        var parent = chain.GetBlock(block.Number - 1)
            ?? throw new InvalidOperationException($"EVM block {block.Number - 1} is missing; the store is not at the block before {block.Number}");

        var backend = new EvmStateStore(state);
        var world = new WorldState(backend, _codes);
        var context = _options.BlockContext(block.Number, block.TimestampMs / 1000, block.BlockHash, chain);
        var processor = new TransactionProcessor(world, context);

        var receipts = new List<EvmReceipt>();
        long cumulativeGas = 0;
        uint logIndex = 0;
        List<EvmBlockDeposit>? deposits = null;
        foreach (var vmTx in block.Transactions)
        {
            if (vmTx.Data.Length == EvmPayload.DepositSize)
            {
                if (Deposit(state, world, block.Number, vmTx, (uint)receipts.Count) is { } deposit) (deposits ??= []).Add(deposit);
                continue;
            }
            if (!EvmPayload.TrySplit(vmTx.Data, out var transactions))
            {
                Reject(state, Keccak.Hash256(vmTx.Data.Span), block.Number, vmTx, 0, "malformed payload: a length prefix runs past its end");
                continue;
            }
            for (int i = 0; i < transactions.Count; i++)
            {
                var raw = transactions[i].Span;
                if (!TransactionDecoder.TryDecode(raw, _options.ChainId, out var signed, out var failure))
                {
                    Reject(state, Keccak.Hash256(raw), block.Number, vmTx, (uint)i, failure.Message);
                    continue;
                }
                var result = processor.Execute(ToEvmTransaction(signed));
                if (!result.IsValid)
                {
                    world.DiscardTransaction();
                    Reject(state, signed.Hash, block.Number, vmTx, (uint)i, result.ErrorMessage ?? result.Error.ToString());
                    continue;
                }
                cumulativeGas += result.GasUsed;
                receipts.Add(new EvmReceipt
                {
                    TransactionHash = signed.Hash,
                    RawTransaction = signed.Encoded,
                    Type = (byte)signed.Type,
                    BlockNumber = block.Number,
                    Index = (uint)receipts.Count,
                    From = signed.Sender,
                    To = signed.To,
                    ContractAddress = result.ContractAddress,
                    Success = result.Success,
                    CumulativeGasUsed = cumulativeGas,
                    GasUsed = result.GasUsed,
                    EffectiveGasPrice = EffectiveGasPrice(signed),
                    FirstLogIndex = logIndex,
                    Logs = result.Logs,
                });
                logIndex += (uint)result.Logs.Count;
                // A transaction rejected earlier (say, nonce too high) and executed now is no longer "rejected".
                state.Delete(EvmStateKeys.Rejection(signed.Hash));
            }
        }

        var root = backend.Apply(world.CollectChanges(), state);
        var bloom = new byte[LogsBloom.Size];
        foreach (var r in receipts) foreach (var log in r.Logs) LogsBloom.Add(bloom, log);
        var evmBlock = new EvmBlock
        {
            Number = block.Number,
            ParentHash = parent.Hash,
            StateRoot = root,
            TransactionsRoot = PatriciaRoot.ComputeOrdered(receipts.Select(r => r.RawTransaction).ToList()),
            ReceiptsRoot = PatriciaRoot.ComputeOrdered(receipts.Select(r => r.EncodeConsensus()).ToList()),
            LogsBloom = bloom,
            GasLimit = _options.BlockGasLimit,
            GasUsed = cumulativeGas,
            Timestamp = context.Timestamp,
            BaseFee = _options.BaseFee,
            PwrBlockHash = block.BlockHash,
            TransactionHashes = receipts.Select(r => r.TransactionHash).ToList(),
        };
        evmBlock = evmBlock with { Hash = evmBlock.ComputeHash() };
        WriteBlock(state, evmBlock);
        if (deposits is not null) state.Set(EvmStateKeys.BlockDeposits(block.Number), EvmBlockDeposit.EncodeList(deposits));
        foreach (var r in receipts) state.Set(EvmStateKeys.Transaction(r.TransactionHash), (r with { BlockHash = evmBlock.Hash }).Encode());
    }

    /// <summary>Credits a deposit and records it; returns it, or null for a payload that is no deposit.</summary>
    private EvmBlockDeposit? Deposit(IVmState state, WorldState world, ulong blockNumber, VmTransaction vmTx, uint receiptsBefore)
    {
        // A 20-byte payload without value is neither a deposit nor a transaction list entry worth keeping: ignore it.
        if (vmTx.Value == 0) return null;
        var to = new Address(vmTx.Data.Span);
        var wei = UInt256.Multiply(new UInt256(vmTx.Value), new UInt256(_options.WeiPerPwrUnit));
        var deposit = new EvmBlockDeposit(receiptsBefore, to, wei);
        deposit.ApplyTo(world);
        var record = new byte[8 + Address.Size + 32];
        BinaryPrimitives.WriteUInt64BigEndian(record, blockNumber);
        to.WriteTo(record.AsSpan(8));
        wei.WriteBigEndian(record.AsSpan(8 + Address.Size));
        state.Set(EvmStateKeys.Deposit(vmTx.TxHash), record);
        return deposit;
    }

    private static void Reject(IVmState state, Hash32 hash, ulong blockNumber, VmTransaction vmTx, uint index, string reason)
    {
        // Never let a rejection shadow a transaction that did execute under the same hash (a replayed signed tx).
        if (state.Get(EvmStateKeys.Transaction(hash)) is not null) return;
        state.Set(EvmStateKeys.Rejection(hash), new EvmRejection(hash, blockNumber, vmTx.TxHash, index, reason).Encode());
    }

    private void WriteGenesis(IVmState state)
    {
        var root = new EvmStateStore(state, PatriciaRoot.Empty).Apply(GenesisAlloc(), state);
        var genesis = new EvmBlock
        {
            Number = 0,
            StateRoot = root,
            TransactionsRoot = PatriciaRoot.Empty,
            ReceiptsRoot = PatriciaRoot.Empty,
            GasLimit = _options.BlockGasLimit,
            BaseFee = _options.BaseFee,
        };
        WriteBlock(state, genesis with { Hash = genesis.ComputeHash() });
    }

    private static void WriteBlock(IVmState state, EvmBlock block)
    {
        state.Set(EvmStateKeys.Block(block.Number), block.Encode());
        Span<byte> number = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64BigEndian(number, block.Number);
        state.Set(EvmStateKeys.BlockByHash(block.Hash), number);
        state.Set(EvmStateKeys.Head, number);
    }

    private UInt256 EffectiveGasPrice(SignedTransaction tx)
    {
        if (tx.Type != EthereumTransactionType.DynamicFee) return UInt256.FromBigInteger(tx.GasPrice);
        var baseFee = _options.BaseFee.ToBigInteger();
        return UInt256.FromBigInteger(baseFee + System.Numerics.BigInteger.Min(tx.MaxPriorityFeePerGas, tx.MaxFeePerGas - baseFee));
    }

    /// <summary>The executor's view of a decoded transaction (the decoder already bounded every field).</summary>
    public static EvmTransaction ToEvmTransaction(SignedTransaction tx) => new()
    {
        Type = (byte)tx.Type,
        Sender = tx.Sender,
        To = tx.To,
        Nonce = tx.Nonce,
        GasLimit = (long)Math.Min(tx.GasLimit, long.MaxValue),
        GasPrice = UInt256.FromBigInteger(tx.GasPrice),
        MaxFeePerGas = UInt256.FromBigInteger(tx.MaxFeePerGas),
        MaxPriorityFeePerGas = UInt256.FromBigInteger(tx.MaxPriorityFeePerGas),
        Value = UInt256.FromBigInteger(tx.Value),
        Data = tx.Data,
        AccessList = tx.AccessList.Select(a => new AccessListEntry(a.Address, a.StorageKeys.Select(k => new UInt256(k.ToArray())).ToArray())).ToArray(),
    };
}
