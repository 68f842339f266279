using System.CommandLine;
using System.Diagnostics;
using Pwr.Vm.Evm.Execution;
using Pwr.Vm.Evm.StateTests;
using Pwr.Vm.Evm.Tracing;

namespace Pwr.Cli;

/// <summary>`pwr evm …`: tools for the EVM, starting with the Ethereum state-test runner.</summary>
public static class EvmCommands
{
    public static Command Create()
    {
        var evm = new Command("evm", "Ethereum VM tools");
        evm.Subcommands.Add(StateTest());
        return evm;
    }

    private static Command StateTest()
    {
        var paths = new Argument<string[]>("path") { Description = "state-test JSON files or folders of them", Arity = ArgumentArity.OneOrMore };
        var threads = new Option<int>("--threads") { Description = "worker threads (default: one per core)", DefaultValueFactory = _ => 0 };
        var skip = new Option<string[]>("--skip") { Description = "case names not to run (counted as failed), e.g. stTimeConsuming/CALLBlake2f_MaxRounds.json:CALLBlake2f_MaxRounds:d0g0v0 (15+ minutes)" };
        var trace = new Option<bool>("--trace") { Description = "write an EIP-3155 trace of every case to stderr (JSON lines per opcode, then a summary per case); runs on one thread" };
        var traceMemory = new Option<bool>("--trace-memory") { Description = "with --trace: add each step's memory" };
        var compiled = new Option<bool>("--compiled") { Description = "run every case through the EVM's compiled tier (code translated to IL before its first run) instead of the interpreter" };
        var cmd = new Command("statetest", "run the Cancun cases of Ethereum GeneralStateTests files; prints each failing case, then `N passed, M failed`")
        {
            paths, threads, skip, trace, traceMemory, compiled,
        };
        cmd.SetAction(p =>
        {
            List<string> files;
            try { files = StateTestRunner.FindFiles(p.GetValue(paths)!); }
            catch (FileNotFoundException e)
            {
                Console.Error.WriteLine(e.Message);
                return 2;
            }
            var started = Stopwatch.GetTimestamp();
            var skipped = p.GetValue(skip) is { Length: > 0 } names ? new HashSet<string>(names, StringComparer.Ordinal) : null;
            StateTestObserver? observer = null;
            int workers = p.GetValue(threads);
            if (p.GetValue(trace))
            {
                // One thread so that each case's lines stay together, in order.
                workers = 1;
                var writer = new Eip3155Writer(Console.Error, p.GetValue(traceMemory));
                long caseStart = 0;
                observer = new StateTestObserver
                {
                    LoggerFor = _ =>
                    {
                        caseStart = Stopwatch.GetTimestamp();
                        return writer.NewLogger();
                    },
                    CaseDone = t => writer.WriteSummary(t.Root, t.Result.Output, t.Result.GasUsed, t.Verdict.Passed, StateTestRunner.Fork,
                        Stopwatch.GetElapsedTime(caseStart), t.Verdict.Passed ? null : t.Verdict.Message),
                };
            }
            if (p.GetValue(compiled))
            {
                if (observer is not null) { Console.Error.WriteLine("--compiled and --trace exclude each other: a trace steps the interpreter opcode by opcode"); return 2; }
                observer = new StateTestObserver { Compile = EvmCompilePolicy.Always };
            }
            var results = StateTestRunner.RunFiles(files, root: CommonRoot(files), threads: workers, skip: skipped, observer: observer);
            int failed = 0;
            foreach (var r in results.Where(r => !r.Passed))
            {
                failed++;
                Console.WriteLine($"FAIL {r.Name}: {r.Message}");
            }
            Console.Error.WriteLine($"{files.Count} files in {Stopwatch.GetElapsedTime(started).TotalSeconds:F1} s");
            Console.WriteLine($"{results.Count - failed} passed, {failed} failed");
            return failed == 0 ? 0 : 1;
        });
        return cmd;
    }

    /// <summary>The deepest folder containing every file, so case names read as paths relative to it.</summary>
    private static string? CommonRoot(List<string> files)
    {
        if (files.Count == 0) return null;
        var root = Path.GetDirectoryName(Path.GetFullPath(files[0]))!;
        foreach (var f in files)
        {
            var full = Path.GetFullPath(f);
            while (!full.StartsWith(root + Path.DirectorySeparatorChar, StringComparison.Ordinal))
                root = Path.GetDirectoryName(root) ?? "";
        }
        return root;
    }
}
