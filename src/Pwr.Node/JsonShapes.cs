using Pwr.Chain;
using Pwr.Core;

namespace Pwr.Node;

/// <summary>The JSON shapes of the PWR HTTP API (field names follow PWR's RPC where it has one).</summary>
public static class JsonShapes
{
    public static Dictionary<string, object?> Transaction(Transaction tx, StoredTransaction? stored = null, ulong? timestamp = null)
    {
        tx.TryGetFee(out var fee);
        var d = new Dictionary<string, object?>
        {
            ["hash"] = tx.Hash.ToString(),
            ["type"] = tx.Type.ToString(),
            ["typeId"] = (uint)tx.Type,
            ["chainId"] = tx.ChainId,
            ["nonce"] = tx.Nonce,
            ["feePerByte"] = tx.FeePerByte,
            ["fee"] = fee,
            ["size"] = tx.Size,
            ["sender"] = tx.Sender.ToString(),
        };
        switch (tx.Type)
        {
            case TransactionType.SetPublicKey: d["publicKey"] = Hex.Encode(tx.PublicKey.Span); break;
            case TransactionType.Transfer: d["receiver"] = tx.Receiver.ToString(); d["amount"] = tx.Amount; break;
            case TransactionType.ClaimVmId: d["vidaId"] = tx.VmId; break;
            case TransactionType.VmData: d["vidaId"] = tx.VmId; d["data"] = Hex.Encode(tx.Data.Span); d["value"] = tx.Value; break;
            case TransactionType.JoinAsValidator: d["amount"] = tx.Amount; break;
            case TransactionType.Delegate or TransactionType.Undelegate: d["validator"] = tx.Validator.ToString(); d["amount"] = tx.Amount; break;
            case TransactionType.DoubleSignEvidence:
                d["voteA"] = Hex.Encode(tx.VoteA.Span);
                d["voteB"] = Hex.Encode(tx.VoteB.Span);
                if (SignedVote.TryDecode(tx.VoteA.Span, out var vote)) d["offender"] = vote.Validator.ToString();
                break;
        }
        if (stored is not null)
        {
            d["blockNumber"] = stored.BlockNumber;
            d["positionInTheBlock"] = stored.Position;
            d["success"] = stored.Result.Success;
            d["errorMessage"] = stored.Result.Error;
            if (timestamp is { } ts) d["timestamp"] = ts;
        }
        return d;
    }

    public static Dictionary<string, object?> Header(BlockHeader h, Commit? commit, int txCount) => new()
    {
        ["blockNumber"] = h.Number,
        ["blockHash"] = h.Hash.ToString(),
        ["timestamp"] = h.TimestampMs,
        ["previousBlockHash"] = h.PreviousHash.ToString(),
        ["proposer"] = h.Proposer.ToString(),
        ["transactionsRoot"] = h.TransactionsRoot.ToString(),
        ["stateRoot"] = h.StateRoot.ToString(),
        ["validatorSetHash"] = h.ValidatorSetHash.ToString(),
        ["transactionCount"] = txCount,
        ["commit"] = commit is null ? null : new Dictionary<string, object?>
        {
            ["height"] = commit.Height,
            ["round"] = commit.Round,
            ["blockHash"] = commit.BlockHash.ToString(),
            ["signatures"] = commit.Signatures.Select(s => new Dictionary<string, object?>
            {
                ["validator"] = s.Validator.ToString(),
                ["signature"] = Hex.Encode(s.Signature),
            }).ToList(),
        },
    };
}
