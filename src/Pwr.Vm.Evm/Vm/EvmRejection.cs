using System.Text;
using Pwr.Core;
using Pwr.Vm.Evm.Rlp;
using RlpCodec = Pwr.Vm.Evm.Rlp.Rlp;

namespace Pwr.Vm.Evm.Vm;

/// <summary>A transaction the VM skipped (undecodable, badly signed, wrong nonce, unaffordable...): no receipt, only the reason.</summary>
public sealed record EvmRejection(Hash32 TransactionHash, ulong BlockNumber, Hash32 PwrTransactionHash, uint Position, string Reason)
{
    public byte[] Encode() => RlpCodec.EncodeList(
        RlpCodec.EncodeBytes(TransactionHash.ToArray()),
        RlpCodec.EncodeUInt64(BlockNumber),
        RlpCodec.EncodeBytes(PwrTransactionHash.ToArray()),
        RlpCodec.EncodeUInt64(Position),
        RlpCodec.EncodeBytes(Encoding.UTF8.GetBytes(Reason)));

    public static EvmRejection Decode(ReadOnlySpan<byte> encoded)
    {
        var reader = new RlpReader(encoded);
        if (!reader.TryReadList(out var f) || !f.TryReadFixed(32, out var hash) || !f.TryReadUInt64(out ulong block)
            || !f.TryReadFixed(32, out var pwrHash) || !f.TryReadUInt64(out ulong position) || !f.TryReadBytes(out var reason))
            throw new InvalidDataException("corrupt EVM rejection record");
        return new EvmRejection(new Hash32(hash), block, new Hash32(pwrHash), (uint)position, Encoding.UTF8.GetString(reason));
    }
}
