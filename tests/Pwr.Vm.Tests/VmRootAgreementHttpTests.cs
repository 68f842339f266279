using Pwr.Core;

namespace Pwr.Vm.Tests;

/// <summary>Root agreement against real HTTP peers on loopback, with the host's own timer (fault test 8 in process).</summary>
public sealed class VmRootAgreementHttpTests
{
    [Fact]
    public async Task Host_with_a_corrupted_store_detects_disagreement_with_http_peers_rolls_back_and_agrees_again()
    {
        AgreementHarness? harness = null;
        Hash32? Honest(ulong n) => harness?.Honest(n);
        using var peerA = new LoopbackRootServer(Honest);
        using var peerB = new LoopbackRootServer(Honest);
        using var notYet = new LoopbackRootServer(_ => null);
        await using var h = harness = new AgreementHarness(_ => [], options: new VmHostOptions
        {
            PollInterval = TimeSpan.FromMilliseconds(20),
            SyncWrites = false,
            AgreementPeers = [peerA.BaseAddress, peerB.BaseAddress, notYet.BaseAddress, LoopbackRootServer.DeadAddress()],
            AgreementInterval = TimeSpan.FromMilliseconds(100),
            AgreementPeerTimeout = TimeSpan.FromSeconds(5),
        });
        Assert.NotNull(h.Host.Agreement);
        h.Host.Start();
        await h.AdvanceToAsync(20);
        await WaitUntilAsync(() => h.Agreement.LastAgreedHeight == 20, "the agreement never reached block 20");

        h.CorruptStore();
        await h.AdvanceToAsync(30);
        await WaitUntilAsync(() => h.Agreement.GetStatus().DivergencesTotal >= 1, "the corruption was never detected");
        await WaitUntilAsync(() => h.Agreement.State == VmAgreementState.InAgreement && h.Agreement.LastAgreedHeight == 30,
            "the host never agreed with its peers again");

        var status = h.Host.GetStatus();
        Assert.Equal(VmHostState.Running, status.State);
        Assert.Equal(1, status.Agreement!.DivergencesTotal);
        Assert.Equal(1, status.Agreement.Rollbacks);
        for (ulong n = 1; n <= 30; n++)
        {
            Assert.True(h.Host.TryGetRoot(n, out var root), $"no root for block {n}");
            Assert.Equal(h.Honest(n), root);
        }
        Assert.True(notYet.Requests > 0, "the lagging peer was never asked");
    }

    private static async Task WaitUntilAsync(Func<bool> condition, string failure)
    {
        using var timeout = new CancellationTokenSource(AgreementHarness.Timeout);
        while (!condition())
        {
            Assert.False(timeout.IsCancellationRequested, failure + " within 30 s");
            await Task.Delay(50);
        }
    }
}
