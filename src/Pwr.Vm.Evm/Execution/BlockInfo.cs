namespace Pwr.Vm.Evm.Execution;

/// <summary>A basic block's constant gas and the stack heights [MinStack, MinStack + StackRange] on entry for which
/// none of its opcodes underflows or overflows; the interpreter checks both once per block instead of per opcode.</summary>
/// <remarks>Charging a block up front is exact: every opcode that reads the gas left (GAS, SSTORE, calls, creates)
/// or ends the frame ends its block, and any failure inside a block is an exceptional halt that consumes all gas,
/// so failing at the block's start instead of at the failing opcode gives the same result.</remarks>
internal readonly struct BlockInfo(int gas, short minStack, short stackRange)
{
    /// <summary>Code positions where no block starts: the stack check always fails there (a jump into PUSH data).</summary>
    public static readonly BlockInfo NotAStart = new(0, short.MaxValue, 0);

    public readonly int Gas = gas;
    public readonly short MinStack = minStack;
    public readonly short StackRange = stackRange;
}
