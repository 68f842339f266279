using System.Buffers.Binary;
using Pwr.Cli.Tests.Infrastructure;
using Pwr.Core;
using Pwr.Storage;
using Pwr.Vm.Token;

namespace Pwr.Cli.Tests;

/// <summary>`pwr vm verify` against a node whose VM checkpoint (stored roots, or the state itself) was tampered with on disk.</summary>
[Collection(DevnetCollection.Name)]
public sealed class CorruptedCheckpointTests
{
    private static readonly TimeSpan CliTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan WaitTimeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Verify_reports_the_first_block_whose_stored_root_was_overwritten()
    {
        using var dir = new TempDir("corrupt");
        var dataDir = dir.Sub("devnet");
        var key = Keys.Dev(7);
        ulong firstVmBlock, corruptBlock;
        string originalRoot;
        await using (var devnet = await DevnetProcess.StartAsync(dataDir))
        {
            var api = devnet.Api;
            // Two VM transactions in two different blocks: the first must still verify, the second is corrupted.
            var create = await api.WaitForTransactionAsync(await api.BroadcastOkAsync(Txs.VmData(key, 0, DevnetHost.TokenVmId, TokenPayload.Create("CRPT", 500))), WaitTimeout);
            firstVmBlock = create.GetProperty("blockNumber").GetUInt64();
            var move = await api.WaitForTransactionAsync(await api.BroadcastOkAsync(Txs.VmData(key, 1, DevnetHost.TokenVmId, TokenPayload.Transfer("CRPT", Keys.Dev(8).Address, 5))), WaitTimeout);
            corruptBlock = move.GetProperty("blockNumber").GetUInt64();
            Assert.True(corruptBlock > firstVmBlock);
            await api.WaitForVmHeightAsync(DevnetHost.TokenVmId, corruptBlock + 2, WaitTimeout);
            originalRoot = await api.RootHashAsync(DevnetHost.TokenVmId, corruptBlock);
            await devnet.KillAsync();
        }

        // VmStore keeps the root of every applied block in its "roots" column family: height (u64 BE) → 32 bytes.
        var tampered = Keccak.Hash256("not the real root"u8);
        using (var kv = KeyValueStore.Open(Path.Combine(dataDir, "vms", DevnetHost.TokenVmId.ToString(System.Globalization.CultureInfo.InvariantCulture)), "state", "tree", "buckets", "roots", "meta"))
        {
            var roots = kv.Family("roots");
            var height = new byte[8];
            BinaryPrimitives.WriteUInt64BigEndian(height, corruptBlock);
            var stored = kv.Get(roots, height);
            Assert.NotNull(stored);
            Assert.Equal(originalRoot, new Hash32(stored).ToString());
            kv.Put(roots, height, tampered.ToArray());
        }

        await using (var devnet = await DevnetProcess.StartAsync(dataDir, reset: false))
        {
            var api = devnet.Api;
            Assert.Equal(tampered.ToString(), await api.RootHashAsync(DevnetHost.TokenVmId, corruptBlock));
            await api.WaitForVmHeightAsync(DevnetHost.TokenVmId, corruptBlock + 3, WaitTimeout);

            // The blocks before it, the first VM block included, still match.
            await AssertVerifyFirstMismatchAsync(devnet, corruptBlock);
        }
    }

    [Fact]
    public async Task Verify_reports_the_block_where_a_value_corrupted_in_the_vm_checkpoint_state_first_shows()
    {
        using var dir = new TempDir("corrupt-state");
        var dataDir = dir.Sub("devnet");
        var key = Keys.Dev(6);
        var storeDir = Path.Combine(dataDir, "vms", DevnetHost.TokenVmId.ToString(System.Globalization.CultureInfo.InvariantCulture));
        ulong createBlock;
        await using (var devnet = await DevnetProcess.StartAsync(dataDir))
        {
            var api = devnet.Api;
            var create = await api.WaitForTransactionAsync(await api.BroadcastOkAsync(Txs.VmData(key, 0, DevnetHost.TokenVmId, TokenPayload.Create("CKPT", 500))), WaitTimeout);
            createBlock = create.GetProperty("blockNumber").GetUInt64();
            await api.WaitForVmHeightAsync(DevnetHost.TokenVmId, createBlock + 1, WaitTimeout);
            await devnet.KillAsync();
        }

        // The VM executes against its "state" family; the state tree beside it still holds the true value, so the
        // corruption shows in a root only once a block writes that key, and the VM's roots up to then still match.
        using (var kv = KeyValueStore.Open(storeDir, "state", "tree", "buckets", "roots", "meta"))
        {
            var state = kv.Family("state");
            var balances = kv.Scan(state, []).Where(e => e.Value.Length == 8 && BinaryPrimitives.ReadUInt64BigEndian(e.Value) == 500).ToList();
            var balanceKey = Assert.Single(balances).Key;
            var forged = new byte[8];
            BinaryPrimitives.WriteUInt64BigEndian(forged, 999);
            kv.Put(state, balanceKey, forged);
        }

        await using (var devnet = await DevnetProcess.StartAsync(dataDir, reset: false))
        {
            var api = devnet.Api;
            var move = await api.WaitForTransactionAsync(await api.BroadcastOkAsync(Txs.VmData(key, 1, DevnetHost.TokenVmId, TokenPayload.Transfer("CKPT", Keys.Dev(8).Address, 5))), WaitTimeout);
            ulong moveBlock = move.GetProperty("blockNumber").GetUInt64();
            Assert.True(moveBlock > createBlock);
            await api.WaitForVmHeightAsync(DevnetHost.TokenVmId, moveBlock + 2, WaitTimeout);

            await AssertVerifyFirstMismatchAsync(devnet, moveBlock);
        }
    }

    /// <summary>`pwr vm verify --vm 1` names <paramref name="block"/> as the first mismatch, and verifying only up to
    /// the block before it succeeds.</summary>
    private static async Task AssertVerifyFirstMismatchAsync(DevnetProcess devnet, ulong block)
    {
        var verify = await devnet.CliAsync(CliTimeout, "vm", "verify", "--vm", "1");
        Assert.True(verify.ExitCode == 4, verify.Describe());
        Assert.Contains($"first mismatching block: {block}", verify.StdOut);
        var upTo = await devnet.CliAsync(CliTimeout, "vm", "verify", "--vm", "1", "--to", (block - 1).ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.True(upTo.ExitCode == 0, upTo.Describe());
    }
}
