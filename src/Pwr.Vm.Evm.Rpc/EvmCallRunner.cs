using Pwr.Core;
using Pwr.Vm.Evm.Execution;
using Pwr.Vm.Evm.Numerics;
using Pwr.Vm.Evm.Tracing;
using Pwr.Vm.Evm.Vm;

namespace Pwr.Vm.Evm.Rpc;

/// <summary>eth_call and eth_estimateGas: runs a call on a scratch <see cref="WorldState"/> over committed state; never writes.</summary>
internal static class EvmCallRunner
{
    /// <summary>Runs <paramref name="tx"/> (nonce filled in from the state) on top of <paramref name="state"/> in <paramref name="block"/>.</summary>
    public static TransactionResult Run(IStateBackend state, BlockContext block, EvmTransaction tx)
        => EvmThread.Run(() => RunHere(state, block, tx));

    /// <summary>Runs <paramref name="tx"/> as <see cref="Run"/> does with <paramref name="tracer"/> attached (debug_traceCall).</summary>
    public static TransactionResult Trace(IStateBackend state, BlockContext block, EvmTransaction tx, TransactionTrace tracer)
        => EvmThread.Run(() => RunHere(state, block, tx, tracer));

    /// <summary>The smallest gas limit with which the call succeeds (binary search), or the failing result at the cap.</summary>
    public static (long Gas, TransactionResult? Failure) Estimate(IStateBackend state, BlockContext block, EvmTransaction tx, long cap)
        => EvmThread.Run(() =>
        {
            var atCap = RunHere(state, block, tx with { GasLimit = cap });
            if (!atCap.IsValid || !atCap.Success) return (0L, (TransactionResult?)atCap);
            long lo = Math.Max(TransactionProcessor.IntrinsicGas(tx), atCap.GasUsed) - 1, hi = cap;
            // Refunds and the 63/64 rule make the used gas a lower bound only: search up from it.
            while (lo + 1 < hi)
            {
                long mid = lo + (hi - lo) / 2;
                var r = RunHere(state, block, tx with { GasLimit = mid });
                if (r.IsValid && r.Success) hi = mid; else lo = mid;
            }
            return (hi, null);
        });

    /// <summary>eth_createAccessList as geth computes it: runs the call with the list found so far until a run finds the
    /// same list (at most 10 rounds); returns that list and the last run's result, whose gas counts the list.</summary>
    public static (IReadOnlyList<AccessListEntry> List, TransactionResult Result) AccessList(IStateBackend state, BlockContext block, EvmTransaction tx)
        => EvmThread.Run(() =>
        {
            var list = tx.AccessList;
            for (int round = 1; ; round++)
            {
                var world = new WorldState(state);
                var run = tx with { Nonce = world.GetNonce(tx.Sender), AccessList = list };
                var tracer = new AccessListTracer(list);
                var result = new TransactionProcessor(world, block) { AccessList = tracer }.Execute(run);
                var found = tracer.AccessList();
                if (!result.IsValid || round == 10 || AccessListTracer.SameList(found, list)) return (found, result);
                list = found;
            }
        });

    private static TransactionResult RunHere(IStateBackend state, BlockContext block, EvmTransaction tx, TransactionTrace? tracer = null)
    {
        var world = new WorldState(state);
        tx = tx with { Nonce = world.GetNonce(tx.Sender) };
        var processor = new TransactionProcessor(world, block);
        tracer?.Attach(processor);
        return processor.Execute(tx);
    }

    /// <summary>The context of a call: the block after <paramref name="head"/>.</summary>
    public static BlockContext Context(EvmVmOptions options, EvmBlock head, EvmChainReader chain, bool zeroBaseFee)
    {
        var context = options.BlockContext(head.Number + 1, head.Timestamp + 1, head.PwrBlockHash, chain);
        // As geth does for calls: with no gas price given, the base fee is zero so that unfunded callers can call.
        return zeroBaseFee ? context with { BaseFee = UInt256.Zero } : context;
    }
}
