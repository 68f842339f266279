using Pwr.Vm.Evm.Execution;
using Pwr.Vm.Evm.StateTests;
using Pwr.Vm.Evm.Tracing;
using Pwr.Vm.Evm.Tests.Trie;
using Xunit.Abstractions;

namespace Pwr.Vm.Evm.Tests.StateTests;

public class StateTestConformanceTests(ITestOutputHelper output)
{
    private const double RequiredPassRate = 0.98;

    [Fact]
    public void Cancun_state_tests_pass_except_the_known_failures() => RunSuite(stepped: false);

    /// <summary>The struct logger's loop checks and charges each opcode on its own instead of per basic block: the same
    /// cases must pass through it.</summary>
    [Fact]
    public void Cancun_state_tests_pass_opcode_by_opcode_under_the_struct_logger() => RunSuite(stepped: true);

    /// <summary>The compiled tier (contract code translated to IL) must give the interpreter's results: every code,
    /// init code included, runs compiled here.</summary>
    [Fact]
    public void Cancun_state_tests_pass_through_the_compiled_tier() => RunSuite(stepped: false, compiled: true);

    private void RunSuite(bool stepped, bool compiled = false)
    {
        var repoRoot = FixtureFiles.RepositoryRoot();
        var fixtures = FixtureFiles.Folder("ethereum-state-tests");
        Assert.True(Directory.Exists(fixtures), $"fixtures not found at {fixtures}");
        var known = LoadKnownFailures(Path.Combine(repoRoot, "tests", "Pwr.Vm.Evm.Tests", "StateTests", "known-failures.txt"));

        var times = new System.Collections.Concurrent.ConcurrentBag<(string File, TimeSpan Time)>();
        var results = StateTestRunner.RunFiles(StateTestRunner.FindFiles([fixtures]), fixtures,
            onFileDone: (f, t) => times.Add((f, t)),
            skip: known.Where(k => k.Value.StartsWith("skip:", StringComparison.Ordinal)).Select(k => k.Key).ToHashSet(),
            // Stepped runs keep few log entries: the point is the per-opcode checks and charges, not the log.
            observer: stepped ? new StateTestObserver { LoggerFor = _ => new StructLogger(new StructLoggerOptions(DisableStack: true, Limit: 64)) }
                : new StateTestObserver { Compile = compiled ? EvmCompilePolicy.Always : EvmCompilePolicy.Off });
        foreach (var (file, time) in times.OrderByDescending(x => x.Time).Take(10))
            output.WriteLine($"slowest: {time.TotalSeconds:F1}s {Path.GetRelativePath(fixtures, file)}");
        int passed = results.Count(r => r.Passed);
        int failed = results.Count - passed;
        var unexpected = results.Where(r => !r.Passed && !known.ContainsKey(r.Name)).ToList();
        output.WriteLine($"{passed} passed, {failed} failed ({results.Count} Cancun cases, {known.Count} known failures)");
        foreach (var r in unexpected.Take(200)) output.WriteLine($"UNEXPECTED {r.Name}: {r.Message}");
        if (Environment.GetEnvironmentVariable("PWR_STATETEST_REPORT") is { Length: > 0 } report)
            File.WriteAllLines(report, results.Where(r => !r.Passed).Select(r => $"{r.Name}\t{r.Message}"));

        Assert.True(results.Count > 10_000, $"only {results.Count} Cancun cases found");
        Assert.Empty(unexpected.Select(r => $"{r.Name}: {r.Message}"));
        Assert.True(passed >= RequiredPassRate * results.Count, $"pass rate {passed}/{results.Count} below {RequiredPassRate:P0}");
    }

    /// <summary>Case name → reason, from lines "name&lt;TAB&gt;reason"; '#' starts a comment line. A reason starting
    /// "skip:" marks a case too slow for this test (it is not run and counts as failed).</summary>
    private static Dictionary<string, string> LoadKnownFailures(string path)
    {
        var known = new Dictionary<string, string>(StringComparer.Ordinal);
        if (!File.Exists(path)) return known;
        foreach (var line in File.ReadLines(path))
        {
            if (line.Length == 0 || line.StartsWith('#')) continue;
            int tab = line.IndexOf('\t');
            known[tab < 0 ? line : line[..tab]] = tab < 0 ? "" : line[(tab + 1)..];
        }
        return known;
    }
}
