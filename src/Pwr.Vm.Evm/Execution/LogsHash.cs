using Pwr.Core;
using RlpCodec = Pwr.Vm.Evm.Rlp.Rlp;

namespace Pwr.Vm.Evm.Execution;

/// <summary>Keccak-256 of the RLP list of logs [address, [topics...], data], as state tests check it.</summary>
public static class LogsHash
{
    public static Hash32 Compute(IReadOnlyList<LogEntry> logs)
    {
        var items = new byte[logs.Count][];
        for (int i = 0; i < logs.Count; i++)
        {
            var log = logs[i];
            var topics = new byte[log.Topics.Length][];
            for (int t = 0; t < topics.Length; t++) topics[t] = RlpCodec.EncodeBytes(log.Topics[t].ToArray());
            items[i] = RlpCodec.EncodeList(
                RlpCodec.EncodeBytes(log.Address.ToArray()),
                RlpCodec.EncodeList(topics),
                RlpCodec.EncodeBytes(log.Data));
        }
        return Keccak.Hash256(RlpCodec.EncodeList(items));
    }
}
