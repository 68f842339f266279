using System.Text.Json;
using Pwr.Cli.Tests.Infrastructure;
using Pwr.Core;
using Pwr.Vm.Token;

namespace Pwr.Cli.Tests;

/// <summary>`kill -9` of a devnet under load, then a restart on the same data directory.</summary>
[Collection(DevnetCollection.Name)]
public sealed class CrashSafetyTests
{
    private const int Senders = 5, TransfersPerSender = 60, VmTransfers = 20, BatchSize = 20;
    private const ulong GenesisSupply = 10 * 100_000_000 * Units.PerPwr; // ten dev accounts of 100,000,000 PWR
    private static readonly TimeSpan WaitTimeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Devnet_killed_mid_load_restarts_with_the_same_blocks_consistent_balances_and_unchanged_vm_roots()
    {
        using var dir = new TempDir("crash");
        var dataDir = dir.Sub("devnet");
        var receivers = Enumerable.Range(0, 4).Select(i => Keys.Receiver($"crash/{i}")).ToArray();
        var batches = PresignLoad(receivers);
        int totalTxs = batches.Sum(b => b.Count);

        var hashes = new SortedDictionary<ulong, string>();
        var vmRoots = new List<string>();
        ulong recordedHead = 0;
        int submitted = 0;
        await using (var devnet = await DevnetProcess.StartAsync(dataDir))
        {
            var api = devnet.Api;
            using var stopLoad = new CancellationTokenSource();
            var load = Task.Run(async () =>
            {
                foreach (var batch in batches)
                {
                    if (stopLoad.IsCancellationRequested) return;
                    var body = JsonSerializer.Serialize(new { txns = batch.Select(t => Hex.Encode(t, prefix: false)) });
                    try
                    {
                        var r = await api.PostRawAsync("/broadcastBatch", body);
                        Assert.True(r.Status == 200, r.ToString());
                        Assert.All(r.Json!.Value.GetProperty("results").EnumerateArray(), e => Assert.True(e.TryGetProperty("hash", out _), e.ToString()));
                    }
                    catch (HttpRequestException) when (stopLoad.IsCancellationRequested) { return; }
                    Interlocked.Increment(ref submitted);
                    await Task.Delay(150);
                }
            });

            // Record finalized blocks while the load runs; kill once half the load is in and blocks carry it.
            int finalizedTxs = 0;
            await Eventually.UntilAsync(async () =>
            {
                ulong head = await api.BlocksCountAsync();
                for (ulong n = recordedHead + 1; n <= head; n++)
                {
                    var block = (await api.GetAsync($"/block?blockNumber={n}")).GetProperty("block");
                    hashes[n] = block.GetProperty("blockHash").GetString()!;
                    finalizedTxs += block.GetProperty("transactionCount").GetInt32();
                    recordedHead = n;
                }
                if (load.IsFaulted) await load; // surface a rejected batch
                return Volatile.Read(ref submitted) >= batches.Count / 2 && finalizedTxs > 0;
            }, WaitTimeout, "half the load to be submitted and some of it finalized", TimeSpan.FromMilliseconds(50));

            ulong vmHeight = await api.VmHeightAsync(DevnetHost.TokenVmId);
            Assert.True(vmHeight > 0);
            var roots = await api.GetAsync($"/rootHashes?vidaId=1&startingBlock=1&endingBlock={vmHeight}");
            vmRoots.AddRange(roots.GetProperty("rootHashes").EnumerateArray().Select(e => e.GetString()!));
            Assert.Equal((int)vmHeight, vmRoots.Count);

            await devnet.KillAsync(); // SIGKILL mid-load: no shutdown code runs
            await stopLoad.CancelAsync();
            await load.WaitAsync(WaitTimeout).ContinueWith(_ => { }, TaskScheduler.Default);
            Assert.True(Volatile.Read(ref submitted) < batches.Count, "the load finished before the kill; the test must kill mid-load");
        }

        await using (var devnet = await DevnetProcess.StartAsync(dataDir, reset: false))
        {
            var api = devnet.Api;
            ulong head = await api.WaitForBlocksAsync(recordedHead + 3, WaitTimeout);

            // Finalized blocks survive unchanged, and numbering continues from them without a gap or a fork.
            foreach (var (n, hash) in hashes) Assert.Equal(hash, await api.BlockHashAsync(n));
            var blocks = new List<JsonElement>();
            for (ulong n = 1; n <= head; n++) blocks.Add((await api.GetAsync($"/blockWithTransactions?blockNumber={n}")).GetProperty("block"));
            string previous = await api.BlockHashAsync(0);
            for (int i = 0; i < blocks.Count; i++)
            {
                Assert.Equal((ulong)i + 1, blocks[i].GetProperty("blockNumber").GetUInt64());
                Assert.Equal(previous, blocks[i].GetProperty("previousBlockHash").GetString());
                previous = blocks[i].GetProperty("blockHash").GetString()!;
            }

            // Balances and nonces are exactly what replaying the finalized blocks gives, and no unit was created or lost.
            var (balances, nonces, included) = Replay(blocks);
            Assert.InRange(included, 1, totalTxs - 1);
            var accounts = Enumerable.Range(0, 10).Select(i => Keys.Dev(i).Address).Append(Keys.Validator.Address).Concat(receivers).ToList();
            UInt128 total = 0;
            foreach (var a in accounts)
            {
                ulong actual = await api.BalanceAsync(a);
                Assert.True(balances.GetValueOrDefault(a) == actual, $"balance of {a}: node {actual}, replay {balances.GetValueOrDefault(a)}");
                Assert.Equal(nonces.GetValueOrDefault(a), await api.NonceAsync(a));
                total += actual;
            }
            Assert.Equal((UInt128)GenesisSupply, total);
            Assert.True(await api.BalanceAsync(Keys.Validator.Address) > 0, "the validator collected no fees");

            // The token VM resumed from its checkpoint: earlier roots are unchanged and it follows the chain again.
            await api.WaitForVmHeightAsync(DevnetHost.TokenVmId, head, WaitTimeout);
            var after = await api.GetAsync($"/rootHashes?vidaId=1&startingBlock=1&endingBlock={vmRoots.Count}");
            Assert.Equal(vmRoots, after.GetProperty("rootHashes").EnumerateArray().Select(e => e.GetString()!).ToList());
            Assert.Contains(vmRoots, r => r != Hash32.Zero.ToString());
            var status = await api.VmStatusAsync(DevnetHost.TokenVmId);
            Assert.Equal("Running", status.GetProperty("host").GetProperty("state").GetString());
            var verify = await devnet.CliAsync(TimeSpan.FromSeconds(60), "vm", "verify", "--vm", "1");
            Assert.True(verify.ExitCode == 0, verify.Describe());
        }
    }

    /// <summary>Transfers from dev1…dev5 and token VM transactions from dev6, signed up front, in nonce order per sender.</summary>
    private static List<List<byte[]>> PresignLoad(Address[] receivers)
    {
        var perSender = new List<byte[]>[Senders + 1];
        Parallel.For(0, Senders + 1, s =>
        {
            var list = new List<byte[]>();
            if (s < Senders)
            {
                var key = Keys.Dev(s + 1);
                for (int i = 0; i < TransfersPerSender; i++)
                    list.Add(Txs.Transfer(key, (uint)i, receivers[(s + i) % receivers.Length], 1_000_000 + (ulong)i));
            }
            else
            {
                var key = Keys.Dev(6);
                list.Add(Txs.VmData(key, 0, DevnetHost.TokenVmId, TokenPayload.Create("CRASH", 1_000_000)));
                for (int i = 0; i < VmTransfers; i++)
                    list.Add(Txs.VmData(key, (uint)i + 1, DevnetHost.TokenVmId, TokenPayload.Transfer("CRASH", receivers[i % receivers.Length], 10 + (ulong)i)));
            }
            perSender[s] = list;
        });
        // Round-robin over senders keeps each sender's nonces in order across batches.
        var all = new List<byte[]>();
        for (int i = 0; all.Count < perSender.Sum(l => l.Count); i++)
            foreach (var list in perSender)
                if (i < list.Count) all.Add(list[i]);
        return all.Chunk(BatchSize).Select(c => c.ToList()).ToList();
    }

    /// <summary>Recomputes balances and nonces from genesis and the blocks' transactions (DESIGN: fees to the proposer, 15% of VmData fees to the VM ID's owner).</summary>
    private static (Dictionary<Address, ulong> Balances, Dictionary<Address, uint> Nonces, int Included) Replay(List<JsonElement> blocks)
    {
        var balances = Enumerable.Range(0, 10).ToDictionary(i => Keys.Dev(i).Address, _ => 100_000_000 * Units.PerPwr);
        var nonces = new Dictionary<Address, uint>();
        var vmOwner = Keys.Dev(0).Address; // genesis gives the devnet's VM IDs to dev0
        int included = 0;
        foreach (var block in blocks)
        {
            var proposer = Address.Parse(block.GetProperty("proposer").GetString()!);
            foreach (var tx in block.GetProperty("transactions").EnumerateArray())
            {
                included++;
                var sender = Address.Parse(tx.GetProperty("sender").GetString()!);
                ulong fee = tx.GetProperty("fee").GetUInt64();
                balances[sender] = balances.GetValueOrDefault(sender) - fee;
                nonces[sender] = nonces.GetValueOrDefault(sender) + 1;
                ulong ownerShare = tx.GetProperty("type").GetString() == "VmData" ? fee * 15 / 100 : 0;
                balances[vmOwner] = balances.GetValueOrDefault(vmOwner) + ownerShare;
                balances[proposer] = balances.GetValueOrDefault(proposer) + fee - ownerShare;
                if (tx.GetProperty("type").GetString() == "Transfer" && tx.GetProperty("success").GetBoolean())
                {
                    ulong amount = tx.GetProperty("amount").GetUInt64();
                    var receiver = Address.Parse(tx.GetProperty("receiver").GetString()!);
                    balances[sender] -= amount;
                    balances[receiver] = balances.GetValueOrDefault(receiver) + amount;
                }
            }
        }
        return (balances, nonces, included);
    }
}
