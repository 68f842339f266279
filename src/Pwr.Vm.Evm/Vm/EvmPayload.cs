using Pwr.Core;

namespace Pwr.Vm.Evm.Vm;

/// <summary>The EVM's VmData payload: (u32 big-endian length ‖ signed Ethereum transaction) repeated (<see cref="LengthPrefixed"/>); or a 20-byte deposit address.</summary>
public static class EvmPayload
{
    public const int DepositSize = 20;

    public static byte[] Encode(IEnumerable<byte[]> transactions) => LengthPrefixed.Encode(transactions.ToList());

    /// <summary>Splits a payload into its transactions; false when a length runs past the end (the whole payload is then rejected).</summary>
    public static bool TrySplit(ReadOnlyMemory<byte> payload, out List<ReadOnlyMemory<byte>> transactions)
        => LengthPrefixed.TrySplit(payload, out transactions, out _);
}
