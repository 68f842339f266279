using System.Buffers.Binary;
using Pwr.Chain;
using Pwr.Consensus.Tendermint;
using Pwr.Core;

namespace Pwr.Consensus.Wal;

/// <summary>
/// Write-ahead log of every vote and proposal this validator signed, fsynced before the message leaves the node,
/// so that after a crash it never signs a different message for the same slot. Record: u8 kind ‖ u32 length ‖
/// payload ‖ first 4 bytes of Keccak-256(kind ‖ length ‖ payload). A torn or corrupt tail (a crash mid-write) is
/// cut off on open; that record was never sent, because sending waits for the fsync.
/// </summary>
public sealed class ConsensusWal : IDisposable
{
    private const byte VoteRecord = 1, ProposalRecord = 2;
    private const int HeaderSize = 1 + 4, ChecksumSize = 4;
    public const string FileName = "consensus.wal";

    private readonly Dictionary<(VoteType, ulong, uint), SignedVote> _votes = [];
    private readonly Dictionary<(ulong, uint), Proposal> _proposals = [];
    private FileStream _file;

    public ConsensusWal(string directory)
    {
        Directory.CreateDirectory(directory);
        FilePath = Path.Combine(directory, FileName);
        _file = new FileStream(FilePath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read);
        Replay();
    }

    public string FilePath { get; }

    /// <summary>Bytes of a torn or corrupt tail cut off when the log was opened.</summary>
    public long DiscardedTailBytes { get; private set; }

    public int Count => _votes.Count + _proposals.Count;

    public SignedVote? FindVote(VoteType type, ulong height, uint round) => _votes.GetValueOrDefault((type, height, round));

    public Proposal? FindProposal(ulong height, uint round) => _proposals.GetValueOrDefault((height, round));

    /// <summary>The logged votes of one height, by round then type.</summary>
    public IReadOnlyList<SignedVote> VotesAt(ulong height)
        => [.. _votes.Values.Where(v => v.Height == height).OrderBy(v => v.Round).ThenBy(v => v.Type)];

    public IReadOnlyList<Proposal> ProposalsAt(ulong height)
        => [.. _proposals.Values.Where(p => p.Height == height).OrderBy(p => p.Round)];

    /// <summary>Logs a vote durably; throws if a different vote for its slot is already logged (a bug in the caller).</summary>
    public void Append(SignedVote vote)
    {
        var key = (vote.Type, vote.Height, vote.Round);
        if (_votes.TryGetValue(key, out var existing))
        {
            if (existing.BlockHash != vote.BlockHash) throw new InvalidOperationException($"the WAL already holds a different {vote.Type} for {vote.Height}/{vote.Round}");
            return;
        }
        Write(VoteRecord, vote.Encode());
        _votes[key] = vote;
    }

    /// <summary>Logs a proposal durably; throws if a different proposal for its (height, round) is already logged.</summary>
    public void Append(Proposal proposal)
    {
        var key = (proposal.Height, proposal.Round);
        if (_proposals.TryGetValue(key, out var existing))
        {
            if (existing.BlockHash != proposal.BlockHash || existing.PolRound != proposal.PolRound)
                throw new InvalidOperationException($"the WAL already holds a different proposal for {proposal.Height}/{proposal.Round}");
            return;
        }
        Write(ProposalRecord, proposal.Encode());
        _proposals[key] = proposal;
    }

    /// <summary>Drops records of heights below <paramref name="height"/> by rewriting the file (write, fsync, rename).</summary>
    public void PruneBelow(ulong height)
    {
        foreach (var k in _votes.Keys.Where(k => k.Item2 < height).ToList()) _votes.Remove(k);
        foreach (var k in _proposals.Keys.Where(k => k.Item1 < height).ToList()) _proposals.Remove(k);
        var temp = FilePath + ".tmp";
        using (var tmp = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            foreach (var p in _proposals.Values.OrderBy(p => p.Height).ThenBy(p => p.Round)) tmp.Write(Record(ProposalRecord, p.Encode()));
            foreach (var v in _votes.Values.OrderBy(v => v.Height).ThenBy(v => v.Round).ThenBy(v => v.Type)) tmp.Write(Record(VoteRecord, v.Encode()));
            tmp.Flush(flushToDisk: true);
        }
        _file.Dispose();
        File.Move(temp, FilePath, overwrite: true);
        _file = new FileStream(FilePath, FileMode.Open, FileAccess.ReadWrite, FileShare.Read);
        _file.Seek(0, SeekOrigin.End);
    }

    public long FileLength => _file.Length;

    public void Dispose() => _file.Dispose();

    private void Write(byte kind, byte[] payload)
    {
        _file.Write(Record(kind, payload));
        _file.Flush(flushToDisk: true);
    }

    private static byte[] Record(byte kind, byte[] payload)
    {
        var record = new byte[HeaderSize + payload.Length + ChecksumSize];
        record[0] = kind;
        BinaryPrimitives.WriteUInt32BigEndian(record.AsSpan(1), (uint)payload.Length);
        payload.CopyTo(record, HeaderSize);
        Keccak.Hash256(record.AsSpan(0, HeaderSize + payload.Length)).ToArray().AsSpan(0, ChecksumSize).CopyTo(record.AsSpan(HeaderSize + payload.Length));
        return record;
    }

    private void Replay()
    {
        var bytes = new byte[_file.Length];
        _file.ReadExactly(bytes);
        long offset = 0;
        while (offset < bytes.Length && TryReadRecord(bytes.AsSpan((int)offset), out int size)) offset += size;
        if (offset < bytes.Length)
        {
            DiscardedTailBytes = bytes.Length - offset;
            _file.SetLength(offset);
            _file.Flush(flushToDisk: true);
        }
        _file.Seek(0, SeekOrigin.End);
    }

    private bool TryReadRecord(ReadOnlySpan<byte> span, out int size)
    {
        size = 0;
        if (span.Length < HeaderSize + ChecksumSize) return false;
        uint length = BinaryPrimitives.ReadUInt32BigEndian(span[1..]);
        if (length > span.Length - HeaderSize - ChecksumSize) return false;
        int body = HeaderSize + (int)length;
        if (!Keccak.Hash256(span[..body]).ToArray().AsSpan(0, ChecksumSize).SequenceEqual(span.Slice(body, ChecksumSize))) return false;
        var payload = span.Slice(HeaderSize, (int)length);
        switch (span[0])
        {
            case VoteRecord when SignedVote.TryDecode(payload, out var vote):
                _votes.TryAdd((vote.Type, vote.Height, vote.Round), vote);
                break;
            case ProposalRecord when Proposal.TryDecode(payload, int.MaxValue, int.MaxValue, out var proposal, out _):
                _proposals.TryAdd((proposal.Height, proposal.Round), proposal);
                break;
            default:
                return false;
        }
        size = body + ChecksumSize;
        return true;
    }
}
