using Pwr.Core;

namespace Pwr.Chain;

/// <summary>A block: header, its transactions with their execution results, and (once final) its commit.</summary>
public sealed class Block
{
    public required BlockHeader Header { get; init; }
    public required IReadOnlyList<Transaction> Transactions { get; init; }
    public required IReadOnlyList<TxResult> Results { get; init; }
    public Commit? Commit { get; init; }

    public ulong Number => Header.Number;
    public Hash32 Hash => Header.Hash;

    public static Hash32 ComputeTransactionsRoot(IReadOnlyList<Transaction> txs)
    {
        var leaves = new Hash32[txs.Count];
        for (int i = 0; i < leaves.Length; i++) leaves[i] = txs[i].Hash;
        return BinaryMerkle.Root(leaves);
    }
}
