using Pwr.Core;
using Pwr.Vm.Evm.Numerics;

namespace Pwr.Vm.Evm.Execution;

/// <summary>The block a transaction runs in, as the COINBASE..BLOBBASEFEE opcodes see it.</summary>
public sealed record BlockContext
{
    public Address Coinbase { get; init; }
    public ulong Number { get; init; }
    public ulong Timestamp { get; init; }
    public long GasLimit { get; init; }
    public UInt256 BaseFee { get; init; }
    public UInt256 PrevRandao { get; init; }
    public ulong ExcessBlobGas { get; init; }
    public ulong ChainId { get; init; } = 1;

    /// <summary>Hash of an earlier block by number (BLOCKHASH only asks for the 256 before this one); null yields zero.</summary>
    public Func<ulong, Hash32>? BlockHash { get; init; }

    /// <summary>EIP-4844 blob base fee: fake_exponential(1, excess_blob_gas, 3338477).</summary>
    public UInt256 BlobBaseFee => FakeExponential(1, ExcessBlobGas, 3338477);

    private static UInt256 FakeExponential(ulong factor, ulong numerator, ulong denominator)
    {
        // Taylor series of factor * e^(numerator/denominator) in integers, as EIP-4844 defines it.
        System.Numerics.BigInteger output = 0, accumulator = (System.Numerics.BigInteger)factor * denominator;
        for (int i = 1; accumulator > 0; i++)
        {
            output += accumulator;
            accumulator = accumulator * numerator / ((System.Numerics.BigInteger)denominator * i);
        }
        var result = output / denominator;
        return result.GetBitLength() > 256 ? UInt256.MaxValue : UInt256.FromBigInteger(result);
    }
}
