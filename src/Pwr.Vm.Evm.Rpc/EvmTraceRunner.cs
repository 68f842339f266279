using Pwr.Core;
using Pwr.Vm.Evm.Execution;
using Pwr.Vm.Evm.Tracing;
using Pwr.Vm.Evm.Transactions;
using Pwr.Vm.Evm.Vm;

namespace Pwr.Vm.Evm.Rpc;

/// <summary>Replays a mined block on scratch state over its parent's root, as the VM executed it, tracing chosen transactions; never writes.</summary>
internal static class EvmTraceRunner
{
    /// <summary>One traced transaction of a block.</summary>
    public readonly record struct TracedTransaction(Hash32 Hash, System.Text.Json.Nodes.JsonNode Result);

    /// <summary>Re-executes <paramref name="block"/>'s transactions in order up to the last one <paramref name="trace"/> selects,
    /// tracing the selected ones with a tracer from <paramref name="newTracer"/>.</summary>
    /// <exception cref="RpcException">The replay did not reproduce a receipt (see <see cref="CheckReplay"/>).</exception>
    public static List<TracedTransaction> TraceBlock(EvmChainReader chain, EvmVmOptions options, EvmBlock block,
        Func<int, bool> trace, Func<TransactionTrace> newTracer)
    {
        var parent = chain.GetBlock(block.Number - 1) ?? throw new RpcException(RpcException.ServerError, $"parent block #{block.Number - 1} not found");
        int last = -1;
        for (int i = 0; i < block.TransactionHashes.Count; i++) if (trace(i)) last = i;
        var receipts = new List<(EvmReceipt Receipt, EvmTransaction Tx)>(last + 1);
        for (int i = 0; i <= last; i++)
        {
            var hash = block.TransactionHashes[i];
            var receipt = chain.GetReceipt(hash) ?? throw new RpcException(RpcException.ServerError, $"receipt of {hash} not found");
            if (!TransactionDecoder.TryDecode(receipt.RawTransaction, options.ChainId, out var signed, out var failure))
                throw new RpcException(RpcException.InternalError, $"stored transaction {hash} does not decode: {failure.Message}");
            receipts.Add((receipt, EvmVm.ToEvmTransaction(signed)));
        }

        var deposits = chain.GetBlockDeposits(block.Number);

        return EvmThread.Run(() =>
        {
            var world = new WorldState(new EvmStateStore(chain.State, parent.StateRoot));
            var processor = new TransactionProcessor(world, options.BlockContext(block.Number, block.Timestamp, block.PwrBlockHash, chain));
            var traced = new List<TracedTransaction>();
            int nextDeposit = 0;
            for (int i = 0; i < receipts.Count; i++)
            {
                // Deposits the VM applied before this transaction, as it applied them.
                for (; nextDeposit < deposits.Count && deposits[nextDeposit].ReceiptsBefore <= i; nextDeposit++)
                    deposits[nextDeposit].ApplyTo(world);
                var (receipt, tx) = receipts[i];
                var tracer = trace(i) ? newTracer() : null;
                tracer?.Attach(processor);
                var result = processor.Execute(tx);
                tracer?.Detach(processor);
                CheckReplay(block, receipt, result);
                if (tracer?.Result() is { } json) traced.Add(new TracedTransaction(receipt.TransactionHash, json));
            }
            return traced;
        });
    }

    /// <summary>Every replayed transaction must end as its receipt says. The VM's skipped transactions changed nothing and are
    /// not in the block, so the replay omits them; deposits are replayed where the VM applied them (blocks written before
    /// the VM recorded their positions have no such record, and a mismatch here is then the likely cause).</summary>
    private static void CheckReplay(EvmBlock block, EvmReceipt receipt, TransactionResult result)
    {
        if (result.IsValid && result.Success == receipt.Success && result.GasUsed == receipt.GasUsed) return;
        string got = result.IsValid ? $"status {(result.Success ? 1 : 0)}, gas used {result.GasUsed}" : "rejected: " + result.ErrorMessage;
        throw new RpcException(RpcException.ServerError,
            $"cannot trace block #{block.Number}: replaying transaction {receipt.TransactionHash} gave {got}, its receipt says status {(receipt.Success ? 1 : 0)}, gas used {receipt.GasUsed}");
    }
}
