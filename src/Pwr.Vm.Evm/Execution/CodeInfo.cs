using Pwr.Core;

namespace Pwr.Vm.Evm.Execution;

/// <summary>Contract code with its basic blocks (see <see cref="BlockInfo"/>), padded with zeros so PUSH never reads past the end.</summary>
public sealed class CodeInfo
{
    // 33 zero bytes after the code: a PUSH32 at the very end reads zeros and the next fetch is STOP.
    private const int Padding = 33;

    public static readonly CodeInfo Empty = new([], AccountState.EmptyCodeHash);

    private BlockInfo[]? _blocks;

    public CodeInfo(byte[] code, Hash32 codeHash)
    {
        Code = code;
        CodeHash = codeHash;
        Padded = new byte[code.Length + Padding];
        code.CopyTo(Padded, 0);
    }

    /// <summary>Code whose hash is not yet known (init code); the hash is never needed for it.</summary>
    public static CodeInfo ForInitCode(byte[] code) => new(code, default);

    public byte[] Code { get; }
    /// <summary>The code as the interpreter reads it: padded, and with PUSH1/PUSH2 opcodes that feed a JUMP or
    /// JUMPI replaced by fused opcodes (<see cref="OpcodeTable.Push1Jump"/>..) once <see cref="Blocks"/> is computed.
    /// PUSH data and JUMPDEST bytes are unchanged; CODECOPY and EXTCODECOPY read <see cref="Code"/>.</summary>
    internal byte[] Padded { get; }
    public Hash32 CodeHash { get; }
    public int Length => Code.Length;

    /// <summary>This code compiled to IL (see Evm.Compiler.cs), once compiled; written by the compiling thread.</summary>
    internal Evm.CompiledCode? Compiled;
    /// <summary>Gas this code has used in the interpreter, towards <see cref="Evm.CompileThresholdGas"/>.</summary>
    internal long InterpretedGas;
    /// <summary>Handed to the compiler once; set even when compiling fails, so the code is never queued again.</summary>
    internal bool CompileQueued;

    private byte[]? _unfused;

    /// <summary>The padded code with no fused opcodes (undefined ones shown as INVALID), for the opcode-by-opcode loop
    /// that a struct logger needs; built on first use.</summary>
    internal byte[] Unfused => _unfused ??= BuildUnfused();

    private byte[] BuildUnfused()
    {
        var unfused = new byte[Padded.Length];
        for (int pc = 0; pc < Code.Length; pc++)
        {
            byte op = Code[pc];
            unfused[pc] = OpcodeTable.Defined[op] ? op : (byte)0xfe;
            if (op >= 0x60 && op <= 0x7f)
            {
                int end = Math.Min(Code.Length, pc + 1 + op - 0x5f);
                Code.AsSpan(pc + 1, end - pc - 1).CopyTo(unfused.AsSpan(pc + 1));
                pc = end - 1;
            }
        }
        return unfused;
    }

    /// <summary>Per code position (and one past the end): the basic block starting there, or
    /// <see cref="BlockInfo.NotAStart"/>; computed once per code.</summary>
    internal BlockInfo[] Blocks => _blocks ??= AnalyzeBlocks(Code, Padded);

    /// <summary>Splits code into basic blocks. A block starts at 0, at every JUMPDEST and after every opcode that ends
    /// one (<see cref="OpcodeTable.EndsBlock"/>); the implicit STOP past the end is an empty block.</summary>
    private static BlockInfo[] AnalyzeBlocks(byte[] code, byte[] padded)
    {
        var blocks = new BlockInfo[code.Length + 1];
        Array.Fill(blocks, BlockInfo.NotAStart);
        int start = 0, height = 0, minStack = 0, maxHeight = 0;
        long gas = 0;
        bool open = true;
        for (int pc = 0; pc < code.Length; pc++)
        {
            byte op = code[pc];
            if (op == 0x5b && pc != start)
            {
                if (open) blocks[start] = Block(gas, minStack, maxHeight);
                open = true; start = pc; gas = 0; height = 0; minStack = 0; maxHeight = 0;
            }
            else if (!open)
            {
                open = true; start = pc; gas = 0; height = 0; minStack = 0; maxHeight = 0;
            }
            gas += OpcodeTable.BaseGas[op];
            minStack = Math.Max(minStack, OpcodeTable.StackIn[op] - height);
            height += OpcodeTable.StackGrowth[op];
            maxHeight = Math.Max(maxHeight, height);
            if (OpcodeTable.EndsBlock[op])
            {
                blocks[start] = Block(gas, minStack, maxHeight);
                open = false;
            }
            if (!OpcodeTable.Defined[op])
            {
                // Fused opcodes reuse undefined byte values: the interpreter's copy shows every undefined opcode as
                // INVALID (0xfe), which fails the same way.
                padded[pc] = 0xfe;
            }
            else if (op is 0x60 or 0x61 && pc + op - 0x5e < code.Length && code[pc + op - 0x5e] is 0x56 or 0x57)
            {
                // PUSH1/PUSH2 of a jump target right before JUMP/JUMPI: one dispatch instead of two.
                padded[pc] = (op, code[pc + op - 0x5e]) switch
                {
                    (0x60, 0x56) => OpcodeTable.Push1Jump,
                    (0x60, _) => OpcodeTable.Push1Jumpi,
                    (_, 0x56) => OpcodeTable.Push2Jump,
                    _ => OpcodeTable.Push2Jumpi,
                };
            }
            else if (op == 0x15 && pc + 4 < code.Length && code[pc + 1] == 0x61 && code[pc + 4] == 0x57)
            {
                // ISZERO, PUSH2 target, JUMPI: "jump when zero", Solidity's usual conditional branch.
                padded[pc] = OpcodeTable.IsZeroPush2Jumpi;
            }
            else if (op is 0x50 or (>= 0x90 and <= 0x9f) && pc + 1 < code.Length && code[pc + 1] is 0x50 or 0x56)
            {
                // Stack clean-up before a return jump: POP POP, POP JUMP, SWAPn POP.
                if (op == 0x50) padded[pc] = code[pc + 1] == 0x50 ? OpcodeTable.PopPop : OpcodeTable.PopJump;
                else if (code[pc + 1] == 0x50) padded[pc] = (byte)(OpcodeTable.Swap1Pop + op - 0x90);
            }
            else if (op is (>= 0x80 and <= 0x83) or (>= 0x90 and <= 0x93) && pc + 1 < code.Length
                && (code[pc + 1] & 0xfc) == (op & 0xf0))
            {
                // Two shallow DUPs or two shallow SWAPs in a row (argument shuffling).
                int pair = (op & 0x0f) * 4 + (code[pc + 1] & 0x0f);
                padded[pc] = (byte)((op < 0x90 ? OpcodeTable.DupDup : OpcodeTable.SwapSwap) + pair);
            }
            if (op >= 0x60 && op <= 0x7f) pc += op - 0x5f;
        }
        if (open) blocks[start] = Block(gas, minStack, maxHeight);
        blocks[code.Length] = Block(0, 0, 0);
        return blocks;
    }

    private static BlockInfo Block(long gas, int minStack, int maxHeight)
    {
        // A block that no entry height fits always fails: an impossible minimum (above the 1024 limit) says so.
        int range = EvmStackLimit - maxHeight - minStack;
        // The gas fits an int: opcodes inside a block cost at most 10 and code is far shorter than 2^27 bytes.
        return range < 0 ? new BlockInfo(0, 2048, 0) : new BlockInfo((int)gas, (short)minStack, (short)range);
    }

    private const int EvmStackLimit = 1024;
}
