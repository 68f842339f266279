namespace Pwr.Vm.Evm.Execution;

/// <summary>Cancun's defined opcodes with their constant gas and stack inputs/outputs, checked before dispatch.</summary>
internal static class OpcodeTable
{
    public static readonly long[] BaseGas = new long[256];
    public static readonly int[] StackIn = new int[256];
    /// <summary>Net stack growth; an opcode fails when the stack would exceed 1024 items.</summary>
    public static readonly int[] StackGrowth = new int[256];
    public static readonly bool[] Defined = new bool[256];

    /// <summary>Opcodes after which a basic block ends (see <see cref="BlockInfo"/>): the ones that read the gas left
    /// (GAS, SSTORE's stipend check, calls and creates), jump, or leave the frame. Undefined opcodes end blocks (and fail).
    /// Other opcodes with dynamic gas (SLOAD, KECCAK256, LOG, copies) stay inside: they only subtract and fail when
    /// negative, and gas charged early for the rest of the block makes them fail only where the block would anyway.</summary>
    public static readonly bool[] EndsBlock = new bool[256];

    // Fused opcodes that CodeInfo writes into the interpreter's copy of the code (undefined byte values in Cancun):
    // frequent pairs in Solidity code (see CodeInfo).
    public const byte Push1Jump = 0xb0;
    public const byte Push1Jumpi = 0xb1;
    public const byte Push2Jump = 0xb2;
    public const byte Push2Jumpi = 0xb3;
    /// <summary>ISZERO, PUSH2 target, JUMPI.</summary>
    public const byte IsZeroPush2Jumpi = 0xb4;
    /// <summary>POP, POP.</summary>
    public const byte PopPop = 0xb5;
    /// <summary>POP, JUMP (a function's return).</summary>
    public const byte PopJump = 0xb6;
    /// <summary>SWAPn, POP for n = 1..16: 0xc0..0xcf.</summary>
    public const byte Swap1Pop = 0xc0;
    /// <summary>DUPn, DUPm for n, m in 1..4: 0xd0..0xdf.</summary>
    public const byte DupDup = 0xd0;
    /// <summary>SWAPn, SWAPm for n, m in 1..4: 0xe0..0xef.</summary>
    public const byte SwapSwap = 0xe0;

    static OpcodeTable()
    {
        Def(0x00, 0, 0, 0);
        Def(0x01, 3, 2, 1); Def(0x02, 5, 2, 1); Def(0x03, 3, 2, 1); Def(0x04, 5, 2, 1); Def(0x05, 5, 2, 1);
        Def(0x06, 5, 2, 1); Def(0x07, 5, 2, 1); Def(0x08, 8, 3, 1); Def(0x09, 8, 3, 1); Def(0x0a, 10, 2, 1);
        Def(0x0b, 5, 2, 1);
        for (int op = 0x10; op <= 0x14; op++) Def(op, 3, 2, 1);
        Def(0x15, 3, 1, 1); Def(0x16, 3, 2, 1); Def(0x17, 3, 2, 1); Def(0x18, 3, 2, 1); Def(0x19, 3, 1, 1);
        Def(0x1a, 3, 2, 1); Def(0x1b, 3, 2, 1); Def(0x1c, 3, 2, 1); Def(0x1d, 3, 2, 1);
        Def(0x20, 30, 2, 1);
        Def(0x30, 2, 0, 1); Def(0x31, 0, 1, 1); Def(0x32, 2, 0, 1); Def(0x33, 2, 0, 1); Def(0x34, 2, 0, 1);
        Def(0x35, 3, 1, 1); Def(0x36, 2, 0, 1); Def(0x37, 3, 3, 0); Def(0x38, 2, 0, 1); Def(0x39, 3, 3, 0);
        Def(0x3a, 2, 0, 1); Def(0x3b, 0, 1, 1); Def(0x3c, 0, 4, 0); Def(0x3d, 2, 0, 1); Def(0x3e, 3, 3, 0);
        Def(0x3f, 0, 1, 1);
        Def(0x40, 20, 1, 1);
        for (int op = 0x41; op <= 0x48; op++) Def(op, 2, 0, 1);
        BaseGas[0x47] = 5; // SELFBALANCE
        Def(0x49, 3, 1, 1); Def(0x4a, 2, 0, 1);
        Def(0x50, 2, 1, 0); Def(0x51, 3, 1, 1); Def(0x52, 3, 2, 0); Def(0x53, 3, 2, 0); Def(0x54, 0, 1, 1);
        Def(0x55, 0, 2, 0); Def(0x56, 8, 1, 0); Def(0x57, 10, 2, 0); Def(0x58, 2, 0, 1); Def(0x59, 2, 0, 1);
        Def(0x5a, 2, 0, 1); Def(0x5b, 1, 0, 0); Def(0x5c, 100, 1, 1); Def(0x5d, 100, 2, 0); Def(0x5e, 3, 3, 0);
        Def(0x5f, 2, 0, 1);
        for (int op = 0x60; op <= 0x7f; op++) Def(op, 3, 0, 1);
        for (int n = 1; n <= 16; n++) Def(0x7f + n, 3, n, n + 1);
        for (int n = 1; n <= 16; n++) Def(0x8f + n, 3, n + 1, n + 1);
        for (int n = 0; n <= 4; n++) Def(0xa0 + n, 375 + 375 * n, n + 2, 0);
        Def(0xf0, 32000, 3, 1); Def(0xf1, 0, 7, 1); Def(0xf2, 0, 7, 1); Def(0xf3, 0, 2, 0); Def(0xf4, 0, 6, 1);
        Def(0xf5, 32000, 4, 1); Def(0xfa, 0, 6, 1); Def(0xfd, 0, 2, 0); Def(0xff, 5000, 1, 0);
        for (int op = 0; op < 256; op++)
        {
            EndsBlock[op] = !Defined[op] || op is 0x00 or 0x56 or 0x57 or 0x5a or 0x55 or 0xf0 or 0xf1 or 0xf2 or 0xf3 or 0xf4
                or 0xf5 or 0xfa or 0xfd or 0xff;
        }
    }

    private static void Def(int op, long gas, int stackIn, int stackOut)
    {
        BaseGas[op] = gas;
        StackIn[op] = stackIn;
        StackGrowth[op] = stackOut - stackIn;
        Defined[op] = true;
    }
}
