using BenchmarkDotNet.Attributes;
using Pwr.Vm.Evm.Execution;

namespace Pwr.Benchmarks.Evm;

/// <summary>The bench/evm workloads (evm-bench-shaped: ERC-20 loops, 10k keccak, a ray tracer) on PWR's EVM, one
/// call transaction per operation, on the same bytecode and calldata that bench/evm/run-ethereumjs.mjs times.</summary>
/// <remarks>Deployed once; each operation executes the call and then drops its changes (CollectChanges without
/// applying them), so every call starts from the deployed state with a fresh journal and cold warm-sets. The
/// processor, interpreter stacks and memories are reused, so Allocated shows what the steady state costs.</remarks>
[MemoryDiagnoser]
public class EvmWorkloadBenchmarks
{
    private WorldState _state = null!;
    private TransactionProcessor _processor = null!;
    private EvmTransaction _call = null!;

    public static IEnumerable<string> WorkloadNames => EvmBenchData.Workloads.Select(w => w.Name);

    [ParamsSource(nameof(WorkloadNames))]
    public string Workload { get; set; } = "";

    [GlobalSetup]
    public void Setup()
    {
        var workload = EvmBenchData.Workload(Workload);
        var (backend, contract) = EvmBenchData.Deploy(workload.CreationCode, EvmBenchData.Sender);
        _state = new WorldState(backend);
        _processor = new TransactionProcessor(_state, EvmBenchData.Block);
        _call = new EvmTransaction
        {
            Sender = EvmBenchData.Sender, To = contract, Nonce = 1, GasLimit = EvmBenchData.CallGasLimit, Data = workload.Calldata,
        };
        // The comparison with ethereumjs is only fair if both did the same work: same gas, to the unit.
        var result = Run();
        long expected = EvmBenchData.EthereumJsGas()[Workload];
        if (!result.Success || result.GasUsed != expected)
            throw new InvalidOperationException($"{Workload}: PWR used {result.GasUsed} gas (success {result.Success}), ethereumjs {expected}");
    }

    [Benchmark]
    public long Call() => Run().GasUsed;

    private TransactionResult Run()
    {
        var result = _processor.Execute(_call);
        _state.CollectChanges(); // discarded: the next call sees the deployed state again
        return result;
    }
}
