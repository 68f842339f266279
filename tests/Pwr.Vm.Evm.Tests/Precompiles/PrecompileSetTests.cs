using Pwr.Vm.Evm.Precompiles;

namespace Pwr.Vm.Evm.Tests.Precompiles;

public class PrecompileSetTests
{
    private static byte[] Address(byte last, byte first = 0)
    {
        var address = new byte[20];
        address[0] = first;
        address[19] = last;
        return address;
    }

    [Fact]
    public void Addresses_0x01_to_0x0a_are_precompiles()
    {
        for (byte i = 1; i <= 10; i++) Assert.True(PrecompileSet.IsPrecompile(Address(i)));
    }

    [Fact]
    public void Zero_0x0b_and_addresses_with_high_bytes_are_not_precompiles()
    {
        Assert.False(PrecompileSet.IsPrecompile(Address(0)));
        Assert.False(PrecompileSet.IsPrecompile(Address(11)));
        Assert.False(PrecompileSet.IsPrecompile(Address(1, first: 1)));
        Assert.False(PrecompileSet.IsPrecompile(new byte[19]));
    }

    [Fact]
    public void Kzg_point_evaluation_is_unsupported_and_consumes_all_gas()
        => Assert.Equal(PrecompileResult.Failure(1_000_000), PrecompileSet.Run(10, new byte[192], 1_000_000));

    [Theory]
    [InlineData(0)]
    [InlineData(11)]
    public void Unknown_ids_fail_and_consume_all_gas(int id)
        => Assert.Equal(PrecompileResult.Failure(5000), PrecompileSet.Run(id, [], 5000));

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    [InlineData(6)]
    [InlineData(7)]
    [InlineData(8)]
    [InlineData(9)]
    public void Zero_gas_fails_for_every_precompile(int id)
    {
        // Each has a positive minimum cost (blake2f's 213-byte input with 12 rounds costs 12).
        var input = id == 9 ? new byte[213] : new byte[32];
        if (id == 9) input[3] = 12;
        Assert.Equal(PrecompileResult.Failure(0), PrecompileSet.Run(id, input, 0));
    }
}
