using System.Diagnostics;
using System.Text.Json;
using Pwr.Core;

namespace Pwr.Vm.Evm.Tests.Differential;

/// <summary>What one engine reports for a program: outcome, transaction gas, return data, logs and storage of A and B.</summary>
internal sealed record EngineOutcome(bool Success, long GasUsed, string ReturnData, IReadOnlyList<string> Logs,
    IReadOnlyList<string> StorageA, IReadOnlyList<string> StorageB);

/// <summary>Runs a batch of programs on @ethereumjs/evm through bench/evm/differential.mjs (one node process).</summary>
internal static class EthereumJsRunner
{
    /// <summary>bench/evm, found above the test binaries.</summary>
    public static string BenchDirectory()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "bench", "evm");
            if (File.Exists(Path.Combine(candidate, "differential.mjs"))) return candidate;
        }
        throw new DirectoryNotFoundException("bench/evm/differential.mjs not found above " + AppContext.BaseDirectory);
    }

    public static IReadOnlyList<EngineOutcome> Run(IReadOnlyList<DifferentialProgram> programs)
    {
        var dir = BenchDirectory();
        // Fail loudly rather than skip: the differential test is only meaningful with the real ethereumjs.
        if (!Directory.Exists(Path.Combine(dir, "node_modules", "@ethereumjs", "evm")))
            Assert.Fail($"@ethereumjs/evm is not installed: run `npm ci` in {dir} (./test.sh does this when node_modules is missing)");

        var input = JsonSerializer.Serialize(new
        {
            contractA = ProgramGenerator.ContractA.ToString(),
            contractB = ProgramGenerator.ContractB.ToString(),
            balanceA = ProgramGenerator.BalanceA.ToString(System.Globalization.CultureInfo.InvariantCulture),
            storageKeys = ProgramGenerator.StorageKeys.Select(k => Hex.Encode(k.ToBigEndian())).ToArray(),
            programs = programs.Select(p => new
            {
                codeA = Hex.Encode(p.CodeA), codeB = Hex.Encode(p.CodeB), calldata = Hex.Encode(p.Calldata),
                gasLimit = p.GasLimit, value = p.Value,
            }).ToArray(),
        });

        // To reproduce by hand: PWR_DIFFERENTIAL_DUMP=file writes the batch; `node differential.mjs < file`.
        if (Environment.GetEnvironmentVariable("PWR_DIFFERENTIAL_DUMP") is { Length: > 0 } dump) File.WriteAllText(dump, input);

        var start = new ProcessStartInfo("node", "differential.mjs")
        {
            WorkingDirectory = dir, RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true,
        };
        Process process;
        try { process = Process.Start(start) ?? throw new InvalidOperationException("node did not start"); }
        catch (System.ComponentModel.Win32Exception e) { Assert.Fail($"Node.js is required for the differential tests (`node` not found: {e.Message})"); throw; }
        using (process)
        {
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            process.StandardInput.Write(input);
            process.StandardInput.Close();
            if (!process.WaitForExit(TimeSpan.FromMinutes(10))) { process.Kill(entireProcessTree: true); Assert.Fail("differential.mjs timed out"); }
            if (process.ExitCode != 0) Assert.Fail($"differential.mjs exited {process.ExitCode}: {stderr.Result}");
            using var doc = JsonDocument.Parse(stdout.Result);
            return doc.RootElement.EnumerateArray().Select(Parse).ToList();
        }
    }

    private static EngineOutcome Parse(JsonElement e)
    {
        if (e.TryGetProperty("crash", out var crash)) return new EngineOutcome(false, -1, "ethereumjs crashed: " + crash.GetString(), [], [], []);
        var logs = e.GetProperty("logs").EnumerateArray().Select(l => DifferentialTests.FormatLog(
            l.GetProperty("address").GetString()!, l.GetProperty("topics").EnumerateArray().Select(t => t.GetString()!),
            l.GetProperty("data").GetString()!)).ToList();
        var storage = e.GetProperty("storage");
        return new EngineOutcome(
            e.GetProperty("success").GetBoolean(),
            long.Parse(e.GetProperty("gasUsed").GetString()!, System.Globalization.CultureInfo.InvariantCulture),
            e.GetProperty("returnData").GetString()!,
            logs,
            storage.GetProperty("A").EnumerateArray().Select(v => DifferentialTests.FormatWord(v.GetString()!)).ToList(),
            storage.GetProperty("B").EnumerateArray().Select(v => DifferentialTests.FormatWord(v.GetString()!)).ToList());
    }
}
