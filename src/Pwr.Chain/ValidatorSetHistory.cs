using System.Buffers.Binary;
using System.Collections.Concurrent;
using Pwr.Core;
using Pwr.Storage;

namespace Pwr.Chain;

/// <summary>
/// Every validator set the chain has had, stored under the first height it applies to; the set of height h is the
/// latest entry at or below h. Only the first heights stay in memory, with a bounded cache of decoded sets.
/// </summary>
public sealed class ValidatorSetHistory
{
    private readonly ChainDatabase _db;
    private volatile ulong[] _firstHeights;
    private volatile ValidatorSet? _latest;
    private readonly ConcurrentDictionary<ulong, ValidatorSet> _cache = new();
    private const int CacheLimit = 256;

    public ValidatorSetHistory(ChainDatabase db)
    {
        _db = db;
        var heights = new List<ulong>();
        foreach (var (key, _) in db.Store.Scan(db.ValidatorSets, [])) heights.Add(BinaryPrimitives.ReadUInt64BigEndian(key));
        _firstHeights = [.. heights];
        if (heights.Count > 0) _latest = Load(heights[^1]);
    }

    public bool IsEmpty => _firstHeights.Length == 0;

    /// <summary>The most recent set: the one for the next height.</summary>
    public ValidatorSet Latest => _latest ?? throw new InvalidOperationException("no validator set is stored yet");

    /// <summary>The heights at which the set changed, ascending.</summary>
    public IReadOnlyList<ulong> FirstHeights => _firstHeights;

    public ValidatorSet Get(ulong height)
    {
        var heights = _firstHeights;
        int i = Array.BinarySearch(heights, height);
        if (i < 0) i = ~i - 1;
        if (i < 0) i = 0; // below the first entry (genesis): the genesis set
        if (i == heights.Length - 1) return Latest;
        return Load(heights[i]);
    }

    private ValidatorSet Load(ulong firstHeight)
    {
        if (_cache.TryGetValue(firstHeight, out var set)) return set;
        var bytes = _db.Store.Get(_db.ValidatorSets, StakingKeys.U64(firstHeight))
            ?? throw new InvalidDataException($"validator set from height {firstHeight} is missing");
        set = Decode(bytes);
        if (_cache.Count >= CacheLimit) _cache.Clear();
        _cache[firstHeight] = set;
        return set;
    }

    public void Stage(ulong firstHeight, ValidatorSet set, StoreBatch batch)
        => batch.Put(_db.ValidatorSets, StakingKeys.U64(firstHeight), Encode(set));

    /// <summary>Makes a staged set current; call once its batch is durable.</summary>
    public void Commit(ulong firstHeight, ValidatorSet set)
    {
        _cache[firstHeight] = set;
        _latest = set;
        _firstHeights = [.. _firstHeights, firstHeight];
    }

    public static byte[] Encode(ValidatorSet set)
    {
        var bytes = new byte[2 + set.Validators.Sum(v => Address.Size + 8 + 2 + v.PublicKey.Length)];
        var w = new BigEndianWriter(bytes);
        w.WriteU16((ushort)set.Validators.Count);
        foreach (var v in set.Validators)
        {
            w.WriteAddress(v.Address);
            w.WriteU64(v.Power);
            w.WriteU16((ushort)v.PublicKey.Length);
            w.WriteBytes(v.PublicKey);
        }
        return bytes;
    }

    public static ValidatorSet Decode(ReadOnlySpan<byte> bytes)
    {
        var r = new BigEndianReader(bytes);
        if (!r.TryReadU16(out var count)) throw new InvalidDataException("stored validator set is truncated");
        var list = new List<Validator>(count);
        for (int i = 0; i < count; i++)
        {
            if (!r.TryReadAddress(out var a) || !r.TryReadU64(out var power) || !r.TryReadU16(out var len) || !r.TryReadBytes(len, out var key))
                throw new InvalidDataException("stored validator set is truncated");
            list.Add(new Validator(a, key.ToArray(), power));
        }
        return new ValidatorSet(list);
    }
}
