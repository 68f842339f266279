using System.Collections.Concurrent;
using Pwr.Core;

namespace Pwr.Cli.Tests.Infrastructure;

/// <summary>The devnet's well-known keys, derived once per test run (Falcon key derivation is not free).</summary>
internal static class Keys
{
    private static readonly ConcurrentDictionary<string, FalconKeyPair> Cache = new();

    public static FalconKeyPair Dev(int i) => Cache.GetOrAdd($"dev{i}", _ => DevnetKeys.Account(i));

    public static FalconKeyPair Validator => Cache.GetOrAdd("validator", _ => DevnetKeys.Validator());

    /// <summary>An address nobody has a key for (only ever a receiver).</summary>
    public static Address Receiver(string label) => new(Keccak.Hash256(System.Text.Encoding.UTF8.GetBytes("pwr-cli-tests/" + label)).ToArray().AsSpan(0, Address.Size));
}
