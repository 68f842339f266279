namespace Pwr.Vm;

/// <summary>Progress of a <see cref="VmVerifier"/> run: blocks replayed and checked so far, out of the target height.</summary>
public readonly record struct VmVerifyProgress(ulong BlocksDone, ulong TotalBlocks, ulong Transactions);
