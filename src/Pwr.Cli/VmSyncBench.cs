using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging.Abstractions;
using Pwr.Chain;
using Pwr.Core;
using Pwr.LoadGenerator;
using Pwr.Vm;
using Pwr.Vm.Token;

namespace Pwr.Cli;

/// <summary>
/// Measures VM capture and replay: builds a devnet chain holding many token transactions for VM 1 and few for
/// VM 2, then times (a) a fresh host of VM 2 syncing from genesis over the HTTP API (its cost should follow its
/// own transactions, not the chain's) and (b) `vm verify` of VM 1 (replayed VM transactions per second).
/// </summary>
public sealed class VmSyncBench(int otherTxs, int ownTxs, string cacheDir, Action<string> log)
{
    // The quiet VM is an extra token VM beside the devnet's own VMs (token VM 1, EVM 2).
    private const ulong BusyVm = DevnetHost.TokenVmId, QuietVm = 3;

    public async Task<string> RunAsync(CancellationToken ct)
    {
        var dir = Path.Combine(Path.GetTempPath(), "pwr-vmsync-" + Guid.NewGuid().ToString("N"));
        int port = FreePort();
        try
        {
            await using var devnet = await DevnetHost.StartAsync(new DevnetOptions
            {
                DataDir = Path.Combine(dir, "node"),
                ApiPort = port,
                BlockTime = TimeSpan.FromMilliseconds(250),
                ExtraVms = [new TokenVm(QuietVm)],
            }, NullLoggerFactory.Instance);
            var chain = devnet.Node.Chain;

            var txs = Presign(chain.ChainId, chain.Options.MinFeePerByte);
            log($"submitting {txs.Count} transactions in-process");
            var results = new AdmissionResult[txs.Count];
            Parallel.For(0, txs.Count, i => results[i] = chain.CheckTx(txs[i]));
            var refused = results.FirstOrDefault(r => !r.Accepted);
            if (refused is not null) throw new InvalidOperationException($"a benchmark transaction was refused: {refused.Message}");
            while (chain.Mempool.Count > 0) await Task.Delay(100, ct);
            ulong height = chain.Blocks.Height;
            foreach (var host in devnet.VmHosts) await host.WaitForHeightAsync(height, ct);
            log($"chain built: {height} blocks; VM {BusyVm} has {otherTxs} txs, VM {QuietVm} has {ownTxs}");

            using var client = new PwrNodeClient(new Uri(devnet.Node.ApiUrl));
            var syncDir = Path.Combine(dir, "sync");
            var sw = Stopwatch.StartNew();
            using (var store = VmStore.Open(syncDir))
            {
                await using var host = new VmHost(new TokenVm(QuietVm), store, new RemoteBlockSource(client), new VmHostOptions { SyncWrites = false });
                host.Start();
                await host.WaitForHeightAsync(height, ct);
                devnet.VmHosts.First(h => h.VmId == QuietVm).TryGetRoot(height, out var expected);
                if (host.Root != expected) throw new InvalidOperationException("the synced VM's root differs from the node's");
            }
            var syncSeconds = sw.Elapsed.TotalSeconds;

            var verifier = new VmVerifier(new TokenVm(BusyVm), new RemoteBlockSource(client), client);
            var result = await verifier.VerifyAsync(Path.Combine(dir, "verify"), height, cancellationToken: ct);
            if (!result.Matched) throw new InvalidOperationException($"verify failed at block {result.MismatchBlock}: {result.Error}");
            return FormattableString.Invariant(
                $"chain of {height} blocks with {otherTxs + ownTxs} VM txs: VM {QuietVm} ({ownTxs} txs) synced from genesis over HTTP in {syncSeconds:F2} s; ")
                + FormattableString.Invariant($"vm verify of VM {BusyVm} replayed {result.Transactions} txs in {result.Elapsed.TotalSeconds:F2} s = {result.TransactionsPerSecond:F0} VM tx/s");
        }
        finally
        {
            try { Directory.Delete(dir, recursive: true); } catch (IOException) { }
        }
    }

    /// <summary>Token transactions from dev0…dev9 (keys in genesis, nonces from 0), cached: Falcon signing is slow.</summary>
    private List<byte[]> Presign(byte chainId, ulong fee)
    {
        int senders = DevnetKeys.AccountCount;
        var perSender = new List<byte[]>[senders];
        int busyEach = (otherTxs + senders - 1) / senders, quietEach = (ownTxs + senders - 1) / senders;
        var sw = Stopwatch.StartNew();
        Parallel.For(0, senders, i =>
        {
            var path = Path.Combine(cacheDir, "vmsync", $"c{chainId}-f{fee}-dev{i}-{busyEach}-{quietEach}.bin");
            if (File.Exists(path)) { perSender[i] = SignedTransactionFile.Read(path); return; }
            var key = DevnetKeys.Account(i);
            var to = DevnetKeys.Account((i + 1) % senders).Address;
            var list = new List<byte[]>();
            uint nonce = 0;
            foreach (var (vm, count, symbol) in new[] { (BusyVm, busyEach, $"B{i}"), (QuietVm, quietEach, $"Q{i}") })
                for (int k = 0; k < count; k++)
                {
                    var payload = k == 0 ? TokenPayload.Create(symbol, 1_000_000_000) : TokenPayload.Transfer(symbol, to, 1);
                    list.Add(TransactionBuilder.Sign(TransactionBuilder.VmData(chainId, nonce++, fee, key.Address, vm, payload, 0), key));
                }
            SignedTransactionFile.Write(path, list);
            perSender[i] = list;
        });
        log($"{perSender.Sum(l => l.Count)} transactions ready in {sw.Elapsed.TotalSeconds:F1} s");
        return perSender.SelectMany(l => l).ToList();
    }

    private static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }
}
