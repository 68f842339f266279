namespace Pwr.Vm;

/// <summary>Lifecycle of a <see cref="VmHost"/>.</summary>
public enum VmHostState
{
    /// <summary>Constructed, not started.</summary>
    Created,
    /// <summary>Applying blocks or waiting for new ones.</summary>
    Running,
    /// <summary>The VM threw on a block; it stays at the block before (execution is deterministic, so retrying is pointless).</summary>
    Halted,
    /// <summary>Stopped by its owner.</summary>
    Stopped,
}
