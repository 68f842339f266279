using System.Diagnostics;
using Pwr.Core;

namespace Pwr.Cli;

/// <summary>
/// Falcon-512 verification throughput of one signed transfer on every core, measured where the node runs (the
/// BenchmarkDotNet suite gives the same figure with statistics; this one needs no SDK, e.g. on a bare machine).
/// </summary>
public static class FalconVerifyRate
{
    public static IEnumerable<string> Measure(TimeSpan duration)
    {
        var (oneShot, withPrepared) = MeasureRates(duration);
        yield return $"cores {Environment.ProcessorCount}";
        yield return $"verify (key decoded per call): {oneShot:F0}/s";
        yield return $"verify (prepared key, as admission does): {withPrepared:F0}/s";
        yield return $"TPS target (50% of the higher): {TpsTarget(oneShot, withPrepared):F0}";
    }

    /// <summary>The devnet TPS target: half the higher of the two verification rates.</summary>
    public static double TpsTarget(double oneShot, double withPrepared) => Math.Max(oneShot, withPrepared) / 2;

    /// <summary>Verifications per second on all cores, with the key decoded per call and with a prepared key.</summary>
    public static (double OneShot, double Prepared) MeasureRates(TimeSpan duration)
    {
        var key = DevnetKeys.FromLabel("bench/verify");
        var raw = TransactionBuilder.Sign(TransactionBuilder.Transfer(0x50, 0, 1000, key.Address, DevnetKeys.Account(9).Address, 1), key);
        if (!TransactionCodec.TryDecode(raw, out var tx, out _, out var error)) throw new InvalidOperationException(error);
        var prepared = FalconVerifier.TryCreate(key.PublicKey)!;
        int threads = Environment.ProcessorCount;
        // Warm-up so the JIT's final tier is what gets measured.
        Run(TimeSpan.FromSeconds(1), threads, () => TransactionSignature.Verify(tx, key.PublicKey));
        double oneShot = Run(duration, threads, () => TransactionSignature.Verify(tx, key.PublicKey));
        double withPrepared = Run(duration, threads, () => TransactionSignature.Verify(tx, prepared));
        return (oneShot, withPrepared);
    }

    private static double Run(TimeSpan duration, int threads, Func<bool> verify)
    {
        long count = 0;
        var watch = Stopwatch.StartNew();
        var workers = Enumerable.Range(0, threads).Select(_ => new Thread(() =>
        {
            long mine = 0;
            while (watch.Elapsed < duration)
            {
                if (!verify()) throw new InvalidOperationException("the sample transfer did not verify");
                mine++;
            }
            Interlocked.Add(ref count, mine);
        })).ToList();
        workers.ForEach(t => t.Start());
        workers.ForEach(t => t.Join());
        return count / watch.Elapsed.TotalSeconds;
    }
}
