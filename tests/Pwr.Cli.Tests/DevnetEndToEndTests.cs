using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Pwr.Cli.Tests.Infrastructure;
using Pwr.Core;
using Pwr.Vm;
using Pwr.Vm.Token;

namespace Pwr.Cli.Tests;

/// <summary>The real `pwr` binary end to end: a devnet process, CLI client commands against it, and a separate VM host process.</summary>
[Collection(DevnetCollection.Name)]
public sealed partial class DevnetEndToEndTests
{
    private static readonly TimeSpan CliTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan WaitTimeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Transfer_claim_and_vm_data_through_the_cli_finalize_and_a_separate_vm_host_reproduces_the_nodes_roots()
    {
        using var dir = new TempDir("e2e");
        await using var devnet = await DevnetProcess.StartAsync(dir.Sub("devnet"));
        var api = devnet.Api;
        ulong feePerByte = await api.FeePerByteAsync();
        Assert.Equal(Txs.MinFee, feePerByte);

        // Transfer: the receiver gains exactly the amount, the sender loses the amount plus feePerByte × size.
        var sender = Keys.Dev(3).Address;
        var receiver = Keys.Dev(4).Address;
        ulong senderBefore = await api.BalanceAsync(sender), receiverBefore = await api.BalanceAsync(receiver);
        var transfer = await devnet.CliAsync(CliTimeout, "transfer", "--from", "dev3", "--to", "dev4", "--amount", "1.5PWR");
        Assert.True(transfer.ExitCode == 0, transfer.Describe());
        var transferHash = FirstHash(transfer.StdOut);
        Assert.Matches(FinalizedInBlock(), transfer.StdOut);
        var tx = (await api.GetAsync($"/transactionByHash?hash={transferHash}")).GetProperty("transaction");
        Assert.Equal("Transfer", tx.GetProperty("type").GetString());
        Assert.True(tx.GetProperty("success").GetBoolean());
        Assert.Equal(sender.ToString(), tx.GetProperty("sender").GetString());
        Assert.Equal(receiver.ToString(), tx.GetProperty("receiver").GetString());
        ulong amount = 1_500_000_000, size = tx.GetProperty("size").GetUInt64(), fee = tx.GetProperty("fee").GetUInt64();
        Assert.Equal(amount, tx.GetProperty("amount").GetUInt64());
        Assert.Equal(feePerByte, tx.GetProperty("feePerByte").GetUInt64());
        Assert.Equal(feePerByte * size, fee);
        Assert.InRange(size, 600UL, 800UL); // header + receiver + amount + a Falcon-512 signature (~666 bytes)
        Assert.Equal(receiverBefore + amount, await api.BalanceAsync(receiver));
        Assert.Equal(senderBefore - amount - fee, await api.BalanceAsync(sender));

        // Claim a fresh VM ID; a second claim of a taken ID is refused with the node's reason.
        var before = await api.GetAsync("/ownerOfVidaId?vidaId=77");
        Assert.False(before.GetProperty("claimed").GetBoolean());
        var claim = await devnet.CliAsync(CliTimeout, "vm", "claim", "--id", "77", "--from", "dev2");
        Assert.True(claim.ExitCode == 0, claim.Describe());
        var owner = await api.GetAsync("/ownerOfVidaId?vidaId=77");
        Assert.True(owner.GetProperty("claimed").GetBoolean());
        Assert.Equal(Keys.Dev(2).Address.ToString(), owner.GetProperty("owner").GetString());
        var reclaim = await devnet.CliAsync(CliTimeout, "vm", "claim", "--id", "77", "--from", "dev5");
        Assert.True(reclaim.ExitCode == 1, reclaim.Describe());
        Assert.Contains("already claimed", reclaim.StdOut + reclaim.StdErr);

        // VM data for the token VM: create a token, then move part of it; both read back from the VM index as sent.
        var create = TokenPayload.Create("E2E", 1000);
        var move = TokenPayload.Transfer("E2E", Keys.Dev(6).Address, 250);
        var sentCreate = await devnet.CliAsync(CliTimeout, "vm", "send", "--vm", "1", "--data", Hex.Encode(create), "--from", "dev5");
        Assert.True(sentCreate.ExitCode == 0, sentCreate.Describe());
        var sentMove = await devnet.CliAsync(CliTimeout, "vm", "send", "--vm", "1", "--data", Hex.Encode(move, prefix: false), "--from", "dev5");
        Assert.True(sentMove.ExitCode == 0, sentMove.Describe());
        var createHash = FirstHash(sentCreate.StdOut);
        var moveHash = FirstHash(sentMove.StdOut);

        ulong head = await api.BlocksCountAsync();
        var vmTxs = (await api.GetAsync($"/getVidaTransactions?vidaId=1&startingBlock=1&endingBlock={head}")).GetProperty("transactions").EnumerateArray().ToList();
        var created = Assert.Single(vmTxs, t => t.GetProperty("hash").GetString() == createHash.ToString());
        var moved = Assert.Single(vmTxs, t => t.GetProperty("hash").GetString() == moveHash.ToString());
        foreach (var (t, payload) in new[] { (created, create), (moved, move) })
        {
            Assert.Equal(Hex.Encode(payload), t.GetProperty("data").GetString());
            Assert.Equal(1UL, t.GetProperty("vidaId").GetUInt64());
            Assert.Equal(Keys.Dev(5).Address.ToString(), t.GetProperty("sender").GetString());
            Assert.True(t.GetProperty("success").GetBoolean());
        }
        Assert.Equal(2, vmTxs.Count);
        ulong moveBlock = moved.GetProperty("blockNumber").GetUInt64();
        Assert.True(moveBlock >= created.GetProperty("blockNumber").GetUInt64());

        // The in-process token VM host applies the block; its root commits to real state (not the empty root).
        ulong target = moveBlock + 1;
        await api.WaitForBlocksAsync(target, WaitTimeout);
        await api.WaitForVmHeightAsync(DevnetHost.TokenVmId, target, WaitTimeout);
        var nodeRoot = await api.RootHashAsync(DevnetHost.TokenVmId, target);
        Assert.NotEqual(Hash32.Zero.ToString(), nodeRoot);
        Assert.Equal(Hash32.Zero.ToString(), await api.RootHashAsync(DevnetHost.TokenVmId, 0));

        // A VM host in its own process, fed over HTTP into a fresh directory, reaches the same root.
        var vmDir = dir.Sub("vm-host");
        var run = await devnet.CliAsync(CliTimeout, "vm", "run", "--vm", "1", "--data-dir", vmDir, "--until", target.ToString(CultureInfo.InvariantCulture));
        Assert.True(run.ExitCode == 0, run.Describe());
        var reached = ReachedRoot().Match(run.StdOut);
        Assert.True(reached.Success, run.Describe());
        Assert.Equal(target.ToString(CultureInfo.InvariantCulture), reached.Groups[1].Value);
        Assert.Equal(nodeRoot, reached.Groups[2].Value);
        using (var store = VmStore.Open(vmDir))
        {
            Assert.True(store.Height >= target);
            Assert.Equal(750UL, TokenVm.BalanceOf(store, "E2E", Keys.Dev(5).Address));
            Assert.Equal(250UL, TokenVm.BalanceOf(store, "E2E", Keys.Dev(6).Address));
            Assert.True(TokenVm.TryGetToken(store, "E2E", out var creator, out var supply));
            Assert.Equal(Keys.Dev(5).Address, creator);
            Assert.Equal(1000UL, supply);
        }

        // Rebuilding from genesis matches every root the node reports.
        var verify = await devnet.CliAsync(CliTimeout, "vm", "verify", "--vm", "1");
        Assert.True(verify.ExitCode == 0, verify.Describe());
        Assert.Contains("OK", verify.StdOut);
        Assert.DoesNotContain("first mismatching block", verify.StdOut);
    }

    [Fact]
    public async Task Cli_commands_against_a_node_that_is_not_running_exit_2_with_a_hint()
    {
        int port = FreePort.Next();
        var result = await PwrProcess.RunAsync(CliTimeout, "balance", "dev0", "--node", $"http://127.0.0.1:{port}");
        Assert.True(result.ExitCode == 2, result.Describe());
        Assert.Contains("cannot reach the node", result.StdOut + result.StdErr);
    }

    [Fact]
    public async Task Devnet_stops_on_SIGTERM_and_a_restart_continues_its_chain()
    {
        using var dir = new TempDir("sigterm");
        var dataDir = dir.Sub("devnet");
        ulong height;
        string hash;
        await using (var devnet = await DevnetProcess.StartAsync(dataDir))
        {
            height = await devnet.Api.WaitForBlocksAsync(3, WaitTimeout);
            hash = await devnet.Api.BlockHashAsync(height);
            Signals.Send(devnet.Process.Id, Signals.SIGTERM);
            var exit = await devnet.Process.WaitForExitAsync(TimeSpan.FromSeconds(20));
            Assert.Contains("Stopping", exit.StdOut);
        }
        await using (var devnet = await DevnetProcess.StartAsync(dataDir, reset: false))
        {
            Assert.Equal(hash, await devnet.Api.BlockHashAsync(height));
            Assert.True(await devnet.Api.BlocksCountAsync() > height);
        }
    }

    private static Hash32 FirstHash(string stdout)
    {
        var line = stdout.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => Hash32.TryParse(l, out _));
        Assert.True(line is not null, $"no transaction hash in the output:\n{stdout}");
        return Hash32.Parse(line);
    }

    [GeneratedRegex(@"finalized in block \d+\s*$", RegexOptions.Multiline)]
    private static partial Regex FinalizedInBlock();

    [GeneratedRegex(@"reached (\d+) root (0x[0-9a-f]{64})")]
    private static partial Regex ReachedRoot();
}
