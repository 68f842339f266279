namespace Pwr.Vm;

/// <summary>Read access to a VM's key/value state; queries (CLI, wrappers) read committed state through it.</summary>
public interface IVmStateReader
{
    /// <summary>The value stored under <paramref name="key"/>, or null. Callers must not modify the returned array.</summary>
    byte[]? Get(ReadOnlySpan<byte> key);
}
