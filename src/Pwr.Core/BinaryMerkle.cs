namespace Pwr.Core;

/// <summary>Binary Merkle root over a list of hashes (Keccak-256 pairs; an odd last node moves up unchanged).</summary>
public static class BinaryMerkle
{
    public static Hash32 Root(IReadOnlyList<Hash32> leaves)
    {
        if (leaves.Count == 0) return Hash32.Zero;
        var level = new Hash32[leaves.Count];
        for (int i = 0; i < level.Length; i++) level[i] = leaves[i];
        int n = level.Length;
        while (n > 1)
        {
            int m = 0;
            for (int i = 0; i < n; i += 2)
                level[m++] = i + 1 < n ? Keccak.HashPair(level[i], level[i + 1]) : level[i];
            n = m;
        }
        return level[0];
    }
}
