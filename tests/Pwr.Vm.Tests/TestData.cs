using Pwr.Core;
using Pwr.Vm.Token;

namespace Pwr.Vm.Tests;

/// <summary>Deterministic token workloads: accounts, a token, and blocks of transfers between the accounts.</summary>
internal static class TestData
{
    public const ulong TokenVmId = 77;

    public static Address Account(int i) => new(Keccak.Hash256(BitConverter.GetBytes(i)).ToArray().AsSpan(0, Address.Size));

    public static VmTransaction Tx(Address sender, byte[] payload, uint position = 0)
        => new(sender, 0, payload, Keccak.Hash256Concat(payload, sender.ToArray()), position);

    /// <summary>Block 1 creates "PWRT" for account 0 and funds the others; every later block carries transfers.</summary>
    public static IEnumerable<VmTransaction[]> TransferBlocks(int blocks, int txPerBlock, int accounts = 100, int seed = 1)
    {
        var random = new Random(seed);
        var first = new List<VmTransaction> { Tx(Account(0), TokenPayload.Create("PWRT", 1_000_000_000_000)) };
        for (int a = 1; a < accounts; a++) first.Add(Tx(Account(0), TokenPayload.Transfer("PWRT", Account(a), 1_000_000), (uint)a));
        yield return [.. first];
        for (int b = 1; b < blocks; b++)
        {
            var txs = new VmTransaction[txPerBlock];
            for (int t = 0; t < txPerBlock; t++)
                txs[t] = Tx(Account(random.Next(accounts)), TokenPayload.Transfer("PWRT", Account(random.Next(accounts)), (ulong)random.Next(1, 1000)), (uint)t);
            yield return txs;
        }
    }
}
