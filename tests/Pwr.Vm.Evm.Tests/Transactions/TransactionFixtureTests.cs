using System.Text.Json;
using Pwr.Core;
using Pwr.Vm.Evm.Tests.Trie;
using Pwr.Vm.Evm.Transactions;
using Xunit.Abstractions;

namespace Pwr.Vm.Evm.Tests.Transactions;

/// <summary>Runs ethereum/tests TransactionTests (shared fixtures) under their Cancun expectations.</summary>
public class TransactionFixtureTests(ITestOutputHelper output)
{
    /// <summary>Cases allowed to fail, each with the reason; every other Cancun case must pass.</summary>
    private static readonly Dictionary<string, string> KnownFailures = new(StringComparer.Ordinal)
    {
    };

    private const ulong FixtureChainId = 1;

    /// <summary>
    /// Tests filled only up to Shanghai (or London) check encodings whose validity no later fork changed for types 0..2: an
    /// input rejected there must be rejected here too, and one accepted must decode to the same hash and sender.
    /// </summary>
    [Fact]
    public void Transaction_tests_without_a_cancun_entry_agree_with_their_latest_fork()
    {
        var root = FixtureFiles.Folder("ethereum-transaction-tests");
        int total = 0;
        var failures = new List<string>();
        foreach (var file in Directory.EnumerateFiles(root, "*.json", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(file));
            foreach (var test in doc.RootElement.EnumerateObject())
            {
                var results = test.Value.GetProperty("result");
                if (results.TryGetProperty("Cancun", out _)) continue;
                var fork = new[] { "Shanghai", "Paris", "London" }.FirstOrDefault(f => results.TryGetProperty(f, out _));
                if (fork is null) continue;
                total++;
                string name = $"{Path.GetFileName(Path.GetDirectoryName(file))}/{test.Name}";
                if (Check(test.Value.GetProperty("txbytes").GetString()!, results.GetProperty(fork)) is { } problem)
                    failures.Add($"{name}: {problem} ({fork})");
            }
        }
        output.WriteLine($"pre-Cancun-only transaction tests: {total - failures.Count}/{total} passed");
        foreach (var f in failures) output.WriteLine("FAIL " + f);
        var unexpected = failures.Where(f => !KnownFailures.ContainsKey(f[..f.IndexOf(':', StringComparison.Ordinal)])).ToList();
        Assert.True(unexpected.Count == 0, string.Join("\n", unexpected));
    }

    [Fact]
    public void Every_cancun_transaction_test_passes_except_known_failures()
    {
        var root = FixtureFiles.Folder("ethereum-transaction-tests");
        int valid = 0, invalid = 0, passed = 0;
        var failures = new List<string>();
        foreach (var file in Directory.EnumerateFiles(root, "*.json", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(file));
            foreach (var test in doc.RootElement.EnumerateObject())
            {
                if (!test.Value.GetProperty("result").TryGetProperty("Cancun", out var expected)) continue;
                string name = $"{Path.GetFileName(Path.GetDirectoryName(file))}/{test.Name}";
                string? problem = Check(test.Value.GetProperty("txbytes").GetString()!, expected);
                if (expected.TryGetProperty("exception", out _)) invalid++;
                else valid++;
                if (problem is null) passed++;
                else failures.Add($"{name}: {problem}");
            }
        }

        output.WriteLine($"Cancun transaction tests: {passed}/{valid + invalid} passed ({valid} valid, {invalid} invalid)");
        foreach (var f in failures) output.WriteLine("FAIL " + f);
        var unexpected = failures.Where(f => !KnownFailures.ContainsKey(f[..f.IndexOf(':', StringComparison.Ordinal)])).ToList();
        Assert.True(unexpected.Count == 0, string.Join("\n", unexpected));
        Assert.True(valid + invalid >= 80, $"only {valid + invalid} Cancun cases found under {root}");
    }

    private static string? Check(string txBytes, JsonElement expected)
    {
        if (!Hex.TryDecode(txBytes, out var raw)) return "txbytes is not hex";
        bool ok = TransactionDecoder.TryDecode(raw, FixtureChainId, out var tx, out var failure);
        if (expected.TryGetProperty("exception", out var exception))
            return ok ? $"accepted, expected {exception.GetString()}" : null;
        if (!ok) return $"rejected ({failure.Message})";
        if (tx!.Hash.ToString() != expected.GetProperty("hash").GetString()) return $"hash {tx.Hash}";
        if (tx.Sender != Address.Parse(expected.GetProperty("sender").GetString()!)) return $"sender {tx.Sender}";
        ulong intrinsic = Convert.ToUInt64(expected.GetProperty("intrinsicGas").GetString(), 16);
        if (IntrinsicGas.Compute(tx) != intrinsic) return $"intrinsic gas {IntrinsicGas.Compute(tx)}, expected {intrinsic}";
        return null;
    }
}
