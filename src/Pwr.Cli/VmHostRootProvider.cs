using Pwr.Core;
using Pwr.Node;
using Pwr.Vm;

namespace Pwr.Cli;

/// <summary>Lets the node's /rootHash and /vmStatus answer from an in-process VM host, root agreement included.</summary>
public sealed class VmHostRootProvider(VmHost host) : IVmRootProvider
{
    public ulong VmId => host.VmId;
    public ulong Height => host.Height;
    public bool TryGetRoot(ulong blockNumber, out Hash32 root) => host.TryGetRoot(blockNumber, out root);
    public string? RootWithheldReason(ulong blockNumber) => host.RootWithheldReason(blockNumber);

    public object Status
    {
        get
        {
            var s = host.GetStatus();
            return new
            {
                state = s.State.ToString(),
                height = s.Height,
                root = s.Root.ToString(),
                lag = s.Lag,
                blocksApplied = s.BlocksApplied,
                errors = s.ErrorCount,
                lastError = s.LastError,
                lastErrorBlock = s.LastErrorBlock,
            };
        }
    }

    public VmStatusReport Report
    {
        get
        {
            var s = host.GetStatus();
            var d = s.Agreement?.Divergence;
            return new VmStatusReport(s.Height, s.Condition, s.Agreement?.LastAgreedHeight ?? 0, s.Lag,
                d is null ? null : new VmDivergenceReport(d.Height, d.LocalRoot.ToString(), d.PeerRoot.ToString(), d.Agreeing, d.Answers, d.RolledBackTo),
                s.Agreement?.DivergencesTotal ?? 0, s.Problem);
        }
    }
}
