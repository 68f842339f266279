using Pwr.Core;

namespace Pwr.Vm;

/// <summary>
/// Rebuilds a VM from genesis into a fresh directory from any block source and checks every block's root against the
/// roots a node reports (DESIGN "VM host contract": anyone can rebuild and check any VM's state by replaying the chain).
/// </summary>
/// <remarks>
/// Fetches blocks and roots 1000 blocks at a time, the next batch while the current one executes, and writes without
/// fsync: a rebuild that crashes is simply started again, so durability would only cost time.
/// </remarks>
public sealed class VmVerifier(IVirtualMachine vm, IVmBlockSource blocks, IVmRootSource roots, TimeProvider? time = null)
{
    private const int BatchSize = IVmBlockSource.MaxBlocksPerRequest;

    private readonly IVirtualMachine _vm = vm ?? throw new ArgumentNullException(nameof(vm));
    private readonly IVmBlockSource _blocks = blocks ?? throw new ArgumentNullException(nameof(blocks));
    private readonly IVmRootSource _roots = roots ?? throw new ArgumentNullException(nameof(roots));
    private readonly TimeProvider _time = time ?? TimeProvider.System;

    /// <summary>
    /// Replays blocks 1…<paramref name="toHeight"/> (default: the source's finalized height) into <paramref name="directory"/>,
    /// which must not exist or be empty, and stops at the first block whose root differs from the node's.
    /// </summary>
    public async Task<VmVerifyResult> VerifyAsync(string directory, ulong? toHeight = null, IProgress<VmVerifyProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        if (Directory.Exists(directory) && Directory.EnumerateFileSystemEntries(directory).Any())
            throw new IOException($"'{directory}' is not empty; verification rebuilds the VM into a fresh directory");

        long started = _time.GetTimestamp();
        ulong target = toHeight ?? await _blocks.GetFinalizedHeightAsync(cancellationToken).ConfigureAwait(false);
        ulong vmId = _vm.VmId, verified = 0, transactions = 0;
        using var store = VmStore.Open(directory);

        VmVerifyResult Result(bool matched, ulong? block = null, Hash32? expected = null, Hash32? actual = null, string? error = null)
            => new(matched, verified, target, transactions, _time.GetElapsedTime(started), block, expected, actual, error);

        var next = target == 0 ? null : FetchAsync(vmId, 1, Math.Min(target, BatchSize), cancellationToken);
        while (next is not null)
        {
            var (from, to, batchBlocks, batchRoots) = await next.ConfigureAwait(false);
            ulong available = (ulong)Math.Min(batchBlocks.Count, batchRoots.Count);
            bool complete = available == to - from + 1;
            next = complete && to < target ? FetchAsync(vmId, to + 1, Math.Min(target, to + BatchSize), cancellationToken) : null;

            for (int i = 0; i < (int)available; i++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var block = batchBlocks[i];
                if (block.Number != from + (ulong)i)
                    return Result(false, from + (ulong)i, error: $"block source returned block {block.Number} where {from + (ulong)i} was expected");
                Hash32 actual;
                try
                {
                    actual = store.ApplyBlock(_vm, block, sync: false);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    return Result(false, block.Number, batchRoots[i], null, $"the VM failed on block {block.Number}: {e.Message}");
                }
                transactions += (ulong)block.Transactions.Count;
                if (actual != batchRoots[i]) return Result(false, block.Number, batchRoots[i], actual);
                verified = block.Number;
            }
            progress?.Report(new VmVerifyProgress(verified, target, transactions));
        }
        return Result(true);
    }

    private async Task<(ulong From, ulong To, IReadOnlyList<VmBlock> Blocks, IReadOnlyList<Hash32> Roots)> FetchAsync(
        ulong vmId, ulong from, ulong to, CancellationToken cancellationToken)
    {
        var blocks = _blocks.GetBlocksAsync(vmId, from, to, cancellationToken).AsTask();
        var roots = _roots.GetRootsAsync(vmId, from, to, cancellationToken).AsTask();
        await Task.WhenAll(blocks, roots).ConfigureAwait(false);
        return (from, to, await blocks.ConfigureAwait(false), await roots.ConfigureAwait(false));
    }
}
