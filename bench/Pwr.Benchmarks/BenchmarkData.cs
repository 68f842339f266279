using System.Text;
using Pwr.Core;

namespace Pwr.Benchmarks;

/// <summary>Deterministic keys and transactions shared by the benchmarks, so every run measures the same inputs.</summary>
internal static class BenchmarkData
{
    public static FalconKeyPair Sender { get; } = DevnetKeys.FromLabel("bench/sender");

    public static Address Receiver { get; } = DevnetKeys.FromLabel("bench/receiver").Address;

    public static byte[] UnsignedTransfer() => TransactionBuilder.Transfer(1, 7, 1_000, Sender.Address, Receiver, 5 * Units.PerPwr);

    public static byte[] SignedTransfer() => TransactionBuilder.Sign(UnsignedTransfer(), Sender);

    public static byte[] Bytes(int length, string label)
    {
        var bytes = new byte[length];
        new Random(Encoding.UTF8.GetBytes(label).Sum(b => b)).NextBytes(bytes);
        return bytes;
    }
}
