namespace Pwr.Vm.Evm.Precompiles;

/// <summary>Helpers for reading precompile input the Yellow Paper way: bytes past the end read as zero.</summary>
internal static class PrecompileInput
{
    /// <summary>Copies input[offset..offset+destination.Length] into destination, zero-filling what lies past the end.</summary>
    public static void CopyPadded(ReadOnlySpan<byte> input, long offset, Span<byte> destination)
    {
        if (offset >= input.Length)
        {
            destination.Clear();
            return;
        }
        var available = input[(int)offset..];
        int n = Math.Min(available.Length, destination.Length);
        available[..n].CopyTo(destination);
        destination[n..].Clear();
    }

    /// <summary>Number of 32-byte words needed for <paramref name="length"/> bytes, rounded up.</summary>
    public static long Words(int length) => ((long)length + 31) / 32;
}
