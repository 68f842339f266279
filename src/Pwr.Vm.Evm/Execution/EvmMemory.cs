namespace Pwr.Vm.Evm.Execution;

/// <summary>A call frame's byte-addressed memory; reused across frames at the same depth.</summary>
internal sealed class EvmMemory
{
    private byte[] _buffer = new byte[1024];

    /// <summary>Active size in bytes, always a multiple of 32.</summary>
    public long Size { get; private set; }

    public Span<byte> Span(long offset, long length) => _buffer.AsSpan((int)offset, (int)length);

    public byte[] Buffer => _buffer;

    /// <summary>Grows the active size to <paramref name="newSize"/> (a multiple of 32); new bytes are zero.</summary>
    public void Grow(long newSize)
    {
        if (newSize <= Size) return;
        if (newSize > _buffer.Length)
        {
            long capacity = Math.Max(newSize, Math.Min((long)_buffer.Length * 2, int.MaxValue - 64));
            var bigger = new byte[capacity];
            _buffer.AsSpan(0, (int)Size).CopyTo(bigger);
            _buffer = bigger;
        }
        Size = newSize;
    }

    /// <summary>Zeroes the used part and empties memory so the next frame at this depth starts clean.</summary>
    public void Reset()
    {
        _buffer.AsSpan(0, (int)Size).Clear();
        Size = 0;
    }
}
