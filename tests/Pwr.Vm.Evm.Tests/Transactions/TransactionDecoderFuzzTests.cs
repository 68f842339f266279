using Pwr.Core;
using Pwr.Vm.Evm.Rlp;
using Pwr.Vm.Evm.Transactions;

namespace Pwr.Vm.Evm.Tests.Transactions;

/// <summary>Bad input is answered with a result, never an exception: mutated transactions and random bytes.</summary>
public class TransactionDecoderFuzzTests
{
    private static readonly byte[] Key = Hex.Decode("0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80");

    private static IEnumerable<byte[]> Seeds()
    {
        yield return TransactionSigner.Sign(new UnsignedTransaction { Type = EthereumTransactionType.Legacy, GasPrice = 1, GasLimit = 21_000, To = Address.Zero }, Key);
        yield return TransactionSigner.Sign(new UnsignedTransaction { Type = EthereumTransactionType.Legacy, ChainId = 1, GasPrice = 1, GasLimit = 60_000, Data = [1, 2, 3] }, Key);
        yield return TransactionSigner.Sign(new UnsignedTransaction
        {
            Type = EthereumTransactionType.AccessList, ChainId = 1, GasPrice = 1, GasLimit = 60_000, To = Address.Zero,
            AccessList = [new(Address.Zero, [Hash32.Zero])],
        }, Key);
        yield return TransactionSigner.Sign(new UnsignedTransaction
        {
            ChainId = 1, MaxFeePerGas = 9, MaxPriorityFeePerGas = 1, GasLimit = 60_000, To = Address.Zero, Data = new byte[80],
            AccessList = [new(Address.Zero, [Hash32.Zero, Hash32.Zero])],
        }, Key);
    }

    [Fact]
    public void Mutated_transactions_are_rejected_or_decoded_without_throwing()
    {
        var random = new Random(12345);
        int accepted = 0, rejected = 0;
        foreach (var seed in Seeds())
        {
            for (int i = 0; i < 3000; i++)
            {
                var raw = Mutate(seed, random);
                if (TransactionDecoder.TryDecode(raw, 1, out var tx, out var failure))
                {
                    accepted++;
                    Assert.Equal(Keccak.Hash256(raw), tx.Hash);
                }
                else
                {
                    rejected++;
                    Assert.NotEqual(TransactionError.None, failure.Error);
                    Assert.False(string.IsNullOrEmpty(failure.Message));
                }
            }
        }
        Assert.True(rejected > 0 && accepted + rejected == 12_000);
    }

    [Fact]
    public void Random_bytes_never_make_the_rlp_reader_throw()
    {
        var random = new Random(99);
        for (int i = 0; i < 20_000; i++)
        {
            var data = new byte[random.Next(0, 80)];
            random.NextBytes(data);
            Walk(new RlpReader(data), 0);
        }
    }

    private static void Walk(RlpReader reader, int depth)
    {
        while (reader.HasMore)
        {
            if (depth < 8 && reader.NextIsList)
            {
                if (!reader.TryReadList(out var inner))
                {
                    Assert.NotEqual(RlpError.None, reader.Error);
                    return;
                }
                Walk(inner, depth + 1);
            }
            else if (!reader.TryReadBytes(out _))
            {
                Assert.NotEqual(RlpError.None, reader.Error);
                return;
            }
        }
    }

    private static byte[] Mutate(byte[] seed, Random random)
    {
        var bytes = new List<byte>(seed);
        int edits = random.Next(1, 4);
        for (int e = 0; e < edits; e++)
        {
            int position = random.Next(bytes.Count + 1);
            switch (random.Next(4))
            {
                case 0 when position < bytes.Count: bytes[position] = (byte)random.Next(256); break;
                case 1 when position < bytes.Count: bytes.RemoveAt(position); break;
                case 2: bytes.Insert(position, (byte)random.Next(256)); break;
                default: if (position < bytes.Count) bytes.RemoveRange(position, bytes.Count - position); break;
            }
        }
        return [.. bytes];
    }
}
