using System.Text.Json;
using Pwr.Core;
using Pwr.Vm.Evm.Execution;
using Pwr.Vm.Evm.Numerics;

namespace Pwr.Benchmarks.Evm;

/// <summary>One workload of bench/evm/artifacts/workloads.json (compiled by bench/evm/compile.mjs).</summary>
internal sealed record EvmWorkload(string Name, string Description, byte[] CreationCode, byte[] Calldata);

/// <summary>Reads the solc artifacts and ethereumjs's reference results that bench/evm writes.</summary>
internal static class EvmBenchData
{
    // Same sender, coinbase and limits as bench/evm/harness.mjs, so both engines see the same transaction.
    public static readonly Address Sender = Address.Parse("0x00000000000000000000000000000000000a11ce");
    public const long CallGasLimit = 100_000_000;
    public static readonly BlockContext Block = new() { Coinbase = Address.Zero, GasLimit = 1_000_000_000, ChainId = 1 };

    /// <summary>bench/evm, found by walking up from the working directory or the assembly (BenchmarkDotNet runs
    /// from a generated folder); PWR_BENCH_EVM_DIR overrides.</summary>
    public static string Directory { get; } = Locate();

    private static string Locate()
    {
        var overridden = Environment.GetEnvironmentVariable("PWR_BENCH_EVM_DIR");
        if (!string.IsNullOrEmpty(overridden)) return overridden;
        foreach (var start in new[] { Environment.CurrentDirectory, AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, "bench", "evm");
                if (File.Exists(Path.Combine(candidate, "artifacts", "workloads.json"))) return candidate;
            }
        }
        throw new DirectoryNotFoundException("bench/evm/artifacts/workloads.json not found above the working directory; set PWR_BENCH_EVM_DIR");
    }

    public static IReadOnlyList<EvmWorkload> Workloads { get; } = LoadWorkloads();

    public static EvmWorkload Workload(string name) =>
        Workloads.FirstOrDefault(w => w.Name == name) ?? throw new ArgumentException($"no workload {name}");

    public static byte[] TokenCreationCode()
    {
        using var doc = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(Directory, "artifacts", "workloads.json")));
        return Hex.Decode(doc.RootElement.GetProperty("token").GetProperty("creationCode").GetString()!);
    }

    private static List<EvmWorkload> LoadWorkloads()
    {
        using var doc = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(Directory, "artifacts", "workloads.json")));
        return doc.RootElement.GetProperty("workloads").EnumerateArray().Select(w => new EvmWorkload(
            w.GetProperty("name").GetString()!,
            w.GetProperty("description").GetString()!,
            Hex.Decode(w.GetProperty("creationCode").GetString()!),
            Hex.Decode(w.GetProperty("calldata").GetString()!))).ToList();
    }

    /// <summary>Gas used per workload on @ethereumjs/evm, from artifacts/ethereumjs-results.json
    /// (written by `node run-ethereumjs.mjs --out artifacts/ethereumjs-results.json`); PWR_ETHEREUMJS_RESULTS names
    /// another such file (compare.sh passes the one it has just measured).</summary>
    public static IReadOnlyDictionary<string, long> EthereumJsGas()
    {
        var path = Environment.GetEnvironmentVariable("PWR_ETHEREUMJS_RESULTS") is { Length: > 0 } overridden
            ? overridden
            : Path.Combine(Directory, "artifacts", "ethereumjs-results.json");
        using var doc = JsonDocument.Parse(File.ReadAllBytes(path));
        return doc.RootElement.GetProperty("results").EnumerateArray()
            .ToDictionary(r => r.GetProperty("name").GetString()!, r => long.Parse(r.GetProperty("gasUsed").GetString()!));
    }

    /// <summary>An in-memory state holding a funded sender and the workload deployed by its creation code.</summary>
    public static (InMemoryStateBackend Backend, Address Contract) Deploy(byte[] creationCode, Address sender)
    {
        var backend = new InMemoryStateBackend();
        backend.SetAccount(sender, 0, UInt256.Parse("1000000000000000000000000000000"), []);
        var state = new WorldState(backend);
        var result = new TransactionProcessor(state, Block).Execute(new EvmTransaction
        {
            Sender = sender, Nonce = 0, GasLimit = 30_000_000, Data = creationCode,
        });
        if (!result.Success || result.ContractAddress is not { } contract)
            throw new InvalidOperationException($"deployment failed: {result.ErrorMessage ?? "reverted or out of gas"}");
        backend.Apply(state.CollectChanges());
        return (backend, contract);
    }
}
