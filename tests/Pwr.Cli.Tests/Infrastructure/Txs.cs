using Pwr.Core;

namespace Pwr.Cli.Tests.Infrastructure;

/// <summary>Signed devnet transactions built on the test side with the wire-format builder.</summary>
internal static class Txs
{
    /// <summary>The devnet's chain id ('P') and minimum feePerByte (ChainOptions defaults).</summary>
    public const byte ChainId = 0x50;
    public const ulong MinFee = 1_000;

    public static byte[] Transfer(FalconKeyPair from, uint nonce, Address to, ulong amount, ulong feePerByte = MinFee, byte chainId = ChainId)
        => TransactionBuilder.Sign(TransactionBuilder.Transfer(chainId, nonce, feePerByte, from.Address, to, amount), from);

    public static byte[] VmData(FalconKeyPair from, uint nonce, ulong vmId, byte[] data, ulong feePerByte = MinFee)
        => TransactionBuilder.Sign(TransactionBuilder.VmData(ChainId, nonce, feePerByte, from.Address, vmId, data, 0), from);

    public static Hash32 Hash(byte[] signed) => Keccak.Hash256(signed);
}
