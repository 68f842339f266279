using System.CommandLine;
using Pwr.LoadGenerator;
using Spectre.Console;

namespace Pwr.Cli;

/// <summary>`pwr bench …`: end-to-end load against a running node.</summary>
public static class BenchCommands
{
    public static Command Create(Option<string> node)
    {
        var count = new Option<int>("--count") { Description = "transfers to send", DefaultValueFactory = _ => 10_000 };
        var senders = new Option<int>("--senders") { Description = "distinct sender accounts", DefaultValueFactory = _ => 100 };
        var rate = new Option<int>("--rate") { Description = "target submit rate in tx/s (0 = as fast as accepted)" };
        var cache = new Option<string>("--cache-dir") { Description = "pre-signed transactions and sender keys", DefaultValueFactory = _ => Path.Combine(".pwr", "bench-cache") };
        var batch = new Option<int>("--batch") { Description = "transactions per /broadcastBatch call", DefaultValueFactory = _ => 500 };
        var concurrency = new Option<int>("--concurrency") { Description = "batch calls in flight", DefaultValueFactory = _ => 4 };
        var warmup = new Option<int>("--warmup") { Description = "how many of --count to send and finalize first, unmeasured (JIT warm-up)" };
        var againstVerify = new Option<bool>("--against-verify")
        {
            Description = "afterwards, measure this machine's Falcon-512 verification rate (`pwr bench verify`) and print the TPS as a share of half of it (meaningful when the node runs on this machine)",
        };
        var transfers = new Command("transfers", "pre-sign, submit concurrently and measure finalized TPS and submit-to-finality latency") { count, senders, rate, cache, batch, concurrency, warmup, againstVerify };
        transfers.SetAction((p, ct) => Commands.Run(async () =>
        {
            var load = new TransferLoad(new TransferLoadOptions
            {
                Node = new Uri(p.GetValue(node)!),
                Count = p.GetValue(count),
                Senders = p.GetValue(senders),
                Rate = p.GetValue(rate),
                CacheDir = p.GetValue(cache)!,
                BatchSize = p.GetValue(batch),
                Concurrency = p.GetValue(concurrency),
                Warmup = p.GetValue(warmup),
            }, m => AnsiConsole.MarkupLine($"[grey]{Markup.Escape(m)}[/]"));
            var report = await load.RunAsync(ct);
            Console.WriteLine(TransferLoad.Format(report));
            if (p.GetValue(againstVerify))
            {
                // Right after the load, on the same (now idle) cores, so both figures see the same machine.
                var rates = FalconVerifyRate.MeasureRates(TimeSpan.FromSeconds(3));
                Console.WriteLine(FormattableString.Invariant(
                    $"verify {rates.Distinct:F0}/s on {Environment.ProcessorCount} cores (distinct signatures; one signature repeated: {rates.Repeated:F0}/s); TPS target (half the distinct rate) {rates.TpsTarget:F0}; finalized TPS {report.FinalizedTps:F0} = {100 * report.FinalizedTps / rates.TpsTarget:F0} % of the target ({100 * report.FinalizedTps / (rates.Repeated / 2):F0} % of half the repeated rate)"));
            }
            return report.Finalized == report.Accepted ? 0 : 1;
        }));
        var other = new Option<int>("--other") { Description = "token transactions of the busy VM", DefaultValueFactory = _ => 100_000 };
        var own = new Option<int>("--own") { Description = "token transactions of the quiet VM", DefaultValueFactory = _ => 1_000 };
        var vmSync = new Command("vm-sync", "build a chain with many VM txs, then time a quiet VM's sync from genesis and `vm verify` of the busy VM") { other, own, cache };
        vmSync.SetAction((p, ct) => Commands.Run(async () =>
        {
            var bench = new VmSyncBench(p.GetValue(other), p.GetValue(own), p.GetValue(cache)!, m => AnsiConsole.MarkupLine($"[grey]{Markup.Escape(m)}[/]"));
            Console.WriteLine(await bench.RunAsync(ct));
            return 0;
        }));
        var seconds = new Option<double>("--seconds") { Description = "measuring time per mode", DefaultValueFactory = _ => 5 };
        var verify = new Command("verify", "Falcon-512 verifications per second of a signed transfer on all cores, the figure the TPS target is set against") { seconds };
        verify.SetAction(p =>
        {
            foreach (var line in FalconVerifyRate.Measure(TimeSpan.FromSeconds(p.GetValue(seconds))))
                Console.WriteLine(line);
            return 0;
        });
        var rpc = new Option<string>("--rpc") { Description = "the Ethereum JSON-RPC wrapper", DefaultValueFactory = _ => "http://127.0.0.1:8545" };
        var erc20Count = new Option<int>("--count") { Description = "ERC-20 transfers to send", DefaultValueFactory = _ => 10_000 };
        var erc20Senders = new Option<int>("--senders") { Description = "distinct Ethereum sender accounts", DefaultValueFactory = _ => 200 };
        var rpcBatch = new Option<int>("--batch") { Description = "eth_sendRawTransaction calls per JSON-RPC batch", DefaultValueFactory = _ => 200 };
        var erc20 = new Command("erc20", "deploy an ERC-20 through the EVM wrapper, send token transfers with eth_sendRawTransaction and measure finalized TPS and latency") { rpc, erc20Count, erc20Senders, rate, rpcBatch, concurrency, warmup };
        erc20.SetAction((p, ct) => Commands.Run(async () =>
        {
            var load = new Erc20Load(new Erc20LoadOptions
            {
                Rpc = new Uri(p.GetValue(rpc)!),
                Count = p.GetValue(erc20Count),
                Senders = p.GetValue(erc20Senders),
                Rate = p.GetValue(rate),
                BatchSize = p.GetValue(rpcBatch),
                Concurrency = p.GetValue(concurrency),
                Warmup = p.GetValue(warmup),
            }, m => AnsiConsole.MarkupLine($"[grey]{Markup.Escape(m)}[/]"));
            var report = await load.RunAsync(ct);
            Console.WriteLine(Erc20Load.Format(report));
            // Success means every accepted transfer was finalized and its token unit arrived.
            return report.Finalized == report.Accepted && report.TokensReceived == report.TokensExpected ? 0 : 1;
        }));
        return new Command("bench", "load generators and end-to-end measurements") { transfers, vmSync, verify, erc20 };
    }
}
