using System.CommandLine;
using System.Globalization;
using Microsoft.Extensions.Logging;
using Pwr.Vm;
using Pwr.Vm.Evm.Vm;
using Pwr.Vm.Token;
using Spectre.Console;

namespace Pwr.Cli;

/// <summary>`pwr vm run` and `pwr vm verify`: VM hosts in their own process against any node.</summary>
public static class VmCommands
{
    /// <summary>The VMs this binary can host, by kind. Adding a VM = one project + one line here.</summary>
    public static IVirtualMachine Create(string kind, ulong vmId) => kind switch
    {
        "token" => new TokenVm(vmId),
        "evm" => new EvmVm(vmId),
        _ => throw new ArgumentException($"unknown VM kind '{kind}'; known kinds: token, evm"),
    };

    /// <summary>The kind the devnet runs under a VM ID (2 is the EVM, the rest the token VM), for commands without --kind.</summary>
    public static string DefaultKind(ulong vmId) => vmId == DevnetHost.EvmVmId ? "evm" : "token";

    private static readonly Option<string?> KindOption = new("--kind") { Description = "which VM implementation runs this VM ID: token or evm (default: the devnet's, evm for VM 2, else token)" };

    private static IVirtualMachine Create(ParseResult p, Option<ulong> vm) => Create(p.GetValue(KindOption) ?? DefaultKind(p.GetValue(vm)), p.GetValue(vm));

    public static Command Run(Option<ulong> vm, Option<string> node)
    {
        var dataDir = new Option<string>("--data-dir") { Description = "the VM host's own RocksDB directory", Required = true };
        var until = new Option<ulong?>("--until") { Description = "exit once this block is applied, printing its root" };
        var cmd = new Command("run", "run a VM host in this process against a node's HTTP API; resumes from its checkpoint") { vm, dataDir, until, KindOption };
        cmd.SetAction((p, ct) => Commands.Run(async () =>
        {
            using var loggers = LoggerFactory.Create(b => b.AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = "HH:mm:ss "; }).SetMinimumLevel(LogLevel.Information));
            var machine = Create(p, vm);
            using var client = new PwrNodeClient(new Uri(p.GetValue(node)!));
            using var store = VmStore.Open(p.GetValue(dataDir)!);
            await using var host = new VmHost(machine, store, new RemoteBlockSource(client), new VmHostOptions(), loggers.CreateLogger("Pwr.Vm.Host"));
            Console.WriteLine($"VM {machine.VmId} host: resuming at height {store.Height} from {p.GetValue(node)}");
            host.Start();
            ulong printed = store.Height;
            while (!ct.IsCancellationRequested)
            {
                var status = host.GetStatus();
                if (status.State == VmHostState.Halted)
                {
                    AnsiConsole.MarkupLine($"[red]VM halted at block {status.LastErrorBlock}: {Markup.Escape(status.LastError ?? "")}[/]");
                    return 1;
                }
                if (status.Height != printed)
                {
                    printed = status.Height;
                    Console.WriteLine($"height {status.Height} root {status.Root} lag {status.Lag}");
                }
                if (p.GetValue(until) is { } target && status.Height >= target)
                {
                    host.TryGetRoot(target, out var root);
                    Console.WriteLine($"reached {target} root {root}");
                    return 0;
                }
                try { await Task.Delay(200, ct); } catch (OperationCanceledException) { break; }
            }
            return 0;
        }));
        return cmd;
    }

    public static Command Verify(Option<ulong> vm, Option<string> node)
    {
        var to = new Option<ulong?>("--to") { Description = "last block to verify (default: the node's VM height)" };
        var keep = new Option<string?>("--data-dir") { Description = "rebuild into this (empty) directory and keep it; default: a temporary one" };
        var cmd = new Command("verify", "rebuild a VM from genesis from a node's blocks and compare every block's root with the node's /rootHash") { vm, to, keep, KindOption };
        cmd.SetAction((p, ct) => Commands.Run(async () =>
        {
            var machine = Create(p, vm);
            using var client = new PwrNodeClient(new Uri(p.GetValue(node)!));
            var dir = p.GetValue(keep) ?? Path.Combine(Path.GetTempPath(), "pwr-verify-" + Guid.NewGuid().ToString("N"));
            try
            {
                using var chainClient = new ChainClient(p.GetValue(node)!);
                ulong target = p.GetValue(to) ?? (await chainClient.GetAsync($"/vmStatus?vidaId={machine.VmId}", ct)).GetProperty("height").GetUInt64();
                var verifier = new VmVerifier(machine, new RemoteBlockSource(client), client);
                VmVerifyResult result = null!;
                await AnsiConsole.Progress().AutoClear(false).HideCompleted(false)
                    .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
                    .StartAsync(async ctx =>
                    {
                        var task = ctx.AddTask($"replaying VM {machine.VmId}", maxValue: Math.Max(1, target));
                        var progress = new Progress<VmVerifyProgress>(v => task.Value = v.BlocksDone);
                        result = await verifier.VerifyAsync(dir, target, progress, ct);
                        task.Value = task.MaxValue;
                    });
                if (result.Matched && result.VerifiedHeight >= target)
                {
                    AnsiConsole.MarkupLine($"[green]OK[/]: blocks 1…{result.VerifiedHeight} of VM {machine.VmId} match the node's roots ({result.Transactions} VM txs in {result.Elapsed.TotalSeconds:F2} s, {result.TransactionsPerSecond:F0} tx/s)");
                    return 0;
                }
                if (result.MismatchBlock is { } block)
                {
                    AnsiConsole.MarkupLine($"[red]MISMATCH[/] at block {block}: node reports {result.ExpectedRoot}, replay gives {result.ActualRoot}");
                    Console.WriteLine($"first mismatching block: {block}");
                    return 4;
                }
                AnsiConsole.MarkupLine($"[red]incomplete[/]: verified up to {result.VerifiedHeight} of {target}. {Markup.Escape(result.Error ?? "")}");
                return 5;
            }
            finally
            {
                if (p.GetValue(keep) is null && Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
            }
        }));
        return cmd;
    }
}
