using System.Diagnostics;
using Pwr.Core;
using Pwr.LoadGenerator;

namespace Pwr.Cli;

/// <summary>Falcon-512 verification rates on all cores of this machine.</summary>
public readonly record struct VerifyRates(double RepeatedOneShot, double RepeatedPrepared, double Distinct)
{
    /// <summary>The higher rate of one signature verified over and over (what a one-sample benchmark reports).</summary>
    public double Repeated => Math.Max(RepeatedOneShot, RepeatedPrepared);

    /// <summary>The devnet TPS target: half the machine's verification rate, taken on distinct signatures (a node
    /// never sees the same one twice).</summary>
    public double TpsTarget => Distinct / 2;
}

/// <summary>
/// Falcon-512 verification throughput of signed transfers on every core, measured where the node runs (the
/// BenchmarkDotNet suite gives the same figures with statistics; this one needs no SDK, e.g. on a bare machine).
/// </summary>
public static class FalconVerifyRate
{
    public static IEnumerable<string> Measure(TimeSpan duration)
    {
        var rates = MeasureRates(duration);
        yield return $"cores {Environment.ProcessorCount}";
        yield return $"verify, one signature repeated (key decoded per call): {rates.RepeatedOneShot:F0}/s";
        yield return $"verify, one signature repeated (prepared key): {rates.RepeatedPrepared:F0}/s";
        yield return $"verify, {SampleSenders * SamplePerSender} distinct signatures of {SampleSenders} senders (prepared keys, as admission does): {rates.Distinct:F0}/s";
        yield return $"TPS target (50% of the distinct-signature rate): {rates.TpsTarget:F0} (50% of the repeated rate: {rates.Repeated / 2:F0})";
    }

    private const int SampleSenders = 32, SamplePerSender = 64;

    /// <summary>Verifications per second on all cores: one signature repeated (key decoded per call, and prepared),
    /// and a pool of distinct signatures.</summary>
    public static VerifyRates MeasureRates(TimeSpan duration)
    {
        var key = DevnetKeys.FromLabel("bench/verify");
        var raw = TransactionBuilder.Sign(TransactionBuilder.Transfer(0x50, 0, 1000, key.Address, DevnetKeys.Account(9).Address, 1), key);
        if (!TransactionCodec.TryDecode(raw, out var tx, out _, out var error)) throw new InvalidOperationException(error);
        var prepared = FalconVerifier.TryCreate(key.PublicKey)!;
        var sample = DistinctSignatureSample.Create(SampleSenders, SamplePerSender);
        int threads = Environment.ProcessorCount;
        // Warm-up so the JIT's final tier is what gets measured.
        Run(TimeSpan.FromSeconds(1), threads, _ => TransactionSignature.Verify(tx, key.PublicKey));
        Run(TimeSpan.FromSeconds(0.5), threads, sample.Verify);
        double oneShot = Run(duration, threads, _ => TransactionSignature.Verify(tx, key.PublicKey));
        double withPrepared = Run(duration, threads, _ => TransactionSignature.Verify(tx, prepared));
        double distinct = Run(duration, threads, sample.Verify);
        return new VerifyRates(oneShot, withPrepared, distinct);
    }

    /// <summary>Calls <paramref name="verify"/> with 0, 1, 2... on each thread (threads start apart) until the time is up.</summary>
    private static double Run(TimeSpan duration, int threads, Func<int, bool> verify)
    {
        long count = 0;
        var watch = Stopwatch.StartNew();
        var workers = Enumerable.Range(0, threads).Select(t => new Thread(() =>
        {
            long mine = 0;
            int index = t * 1009;
            while (watch.Elapsed < duration)
            {
                if (!verify(index++)) throw new InvalidOperationException("a sample transfer did not verify");
                mine++;
            }
            Interlocked.Add(ref count, mine);
        })).ToList();
        workers.ForEach(t => t.Start());
        workers.ForEach(t => t.Join());
        return count / watch.Elapsed.TotalSeconds;
    }
}
