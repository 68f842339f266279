using System.Reflection;
using System.Reflection.Emit;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using Pwr.Vm.Evm.Numerics;

namespace Pwr.Vm.Evm.Execution;

/// <summary>When contract code is compiled to .NET code (see <see cref="Evm.CompiledCode"/>).</summary>
public enum EvmCompilePolicy
{
    /// <summary>Always interpret.</summary>
    Off,
    /// <summary>Interpret; compile a deployed contract in the background once it has run
    /// <see cref="Evm.CompileThresholdGas"/> gas, one contract at a time.</summary>
    Auto,
    /// <summary>Compile every code, init code included, before its first run (conformance tests of the compiler).</summary>
    Always,
}

// The second tier: a contract that keeps running is translated to IL, one DynamicMethod per run of consecutive basic
// blocks, and the JIT turns it into machine code. The compiled code does exactly what Interpret<PerBlock> does (same
// per-block gas and stack checks, same helpers for everything with dynamic gas, same failure paths), minus the opcode
// dispatch and most stack traffic: inside a block the stack is virtual (see ChunkEmitter's Item), constants fold at
// compile time, and a jump to a constant target is a direct branch.
internal sealed partial class Evm
{
    /// <summary>Gas a deployed code must have used in the interpreter before <see cref="EvmCompilePolicy.Auto"/>
    /// compiles it: compiling costs ~0.1–1 ms of CPU per KB of code, which this much gas more than pays back.</summary>
    public const long CompileThresholdGas = 5_000_000;

    /// <summary>The process-wide default; PWR_EVM_COMPILE=off|auto|always overrides it.</summary>
    public static EvmCompilePolicy DefaultCompilePolicy { get; } =
        Environment.GetEnvironmentVariable("PWR_EVM_COMPILE")?.ToLowerInvariant() switch
        {
            "off" => EvmCompilePolicy.Off,
            "always" => EvmCompilePolicy.Always,
            _ => EvmCompilePolicy.Auto,
        };

    public EvmCompilePolicy CompilePolicy { get; set; } = DefaultCompilePolicy;

    private static int _compiling;

    /// <summary>Runs a frame's code compiled when it is (or, by policy, now gets) compiled; null to interpret.</summary>
    private CompiledCode? CompiledFor(CodeInfo code)
    {
        if (CompilePolicy == EvmCompilePolicy.Off) return null;
        var compiled = Volatile.Read(ref code.Compiled);
        if (compiled is not null || CompilePolicy != EvmCompilePolicy.Always) return compiled;
        compiled = CompiledCode.Compile(code);
        Volatile.Write(ref code.Compiled, compiled);
        return compiled;
    }

    /// <summary>Counts gas interpreted in deployed code and queues its compilation past the threshold (one at a time,
    /// on a background thread: execution never waits for it, and the result is the same either way).</summary>
    private void NoteInterpreted(CodeInfo code, long gasUsed)
    {
        if (CompilePolicy != EvmCompilePolicy.Auto || code.CodeHash == default || code.CompileQueued) return;
        code.InterpretedGas += gasUsed;
        if (code.InterpretedGas < CompileThresholdGas || Interlocked.CompareExchange(ref _compiling, 1, 0) != 0) return;
        code.CompileQueued = true;
        // A thread of its own: on a busy thread pool (parallel tests, a node's RPC) a queued item waited for tens of seconds.
        new Thread(static c =>
        {
            var info = (CodeInfo)c!;
            try { Volatile.Write(ref info.Compiled, CompiledCode.Compile(info)); }
            catch (Exception) { } // a code the compiler cannot take stays interpreted (CompileQueued keeps it from retrying)
            finally { Volatile.Write(ref _compiling, 0); }
        }) { IsBackground = true, Name = "evm-compiler" }.Start(code);
    }

    /// <summary>The compiled twin of Interpret&lt;PerBlock&gt;: runs chunks until one leaves the frame.</summary>
    private static EvmStatus RunCompiled(Frame f, CompiledCode c)
    {
        ref UInt256 st = ref MemoryMarshal.GetArrayDataReference(f.Stack);
        long gas = f.Msg.Gas;
        nint sp = 0;
        long next = 0;
        var chunks = c.Chunks;
        var chunkOf = c.ChunkOf;
        do next = chunks[chunkOf[next]](f, ref st, ref gas, ref sp, (nint)next);
        while (next >= 0);
        return (EvmStatus)~next;
    }

    /// <summary>Contract code translated to IL: the chunks and the tables that route a pc to its chunk.</summary>
    internal sealed class CompiledCode
    {
        /// <summary>Runs from the block at <paramref name="pc"/> until the code leaves this chunk: the next pc (≥ 0),
        /// or ~status when the frame ends (-1 success with GasLeft set, -2 revert, -3 failure).</summary>
        public delegate long Chunk(Frame f, ref UInt256 stack, ref long gas, ref nint sp, nint pc);

        // A chunk holds consecutive blocks: the more, the more jumps stay inside one method, but the JIT compiles a method
        // of more than ~45 KB of IL (or 20,000 IL instructions) with minimal optimization, which is slower than the
        // interpreter. Chunks start at this many opcodes and are halved until their IL is small enough.
        private const int OpsPerChunk = 2000;
        private const int MaxChunkIl = 40_000;

        /// <summary>Per code position (and one past the end): the chunk whose method holds the block starting there, or -1.</summary>
        public readonly int[] ChunkOf;
        /// <summary>Per block start: the block's label number within its chunk.</summary>
        public readonly int[] LocalIndex;
        /// <summary>Per code position: a JUMPDEST that starts a block (a valid jump target).</summary>
        public readonly bool[] JumpDest;
        public Chunk[] Chunks = [];

        private CompiledCode(int length)
        {
            ChunkOf = new int[length + 1];
            LocalIndex = new int[length + 1];
            JumpDest = new bool[length + 1];
            Array.Fill(ChunkOf, -1);
        }

        public static CompiledCode Compile(CodeInfo info)
        {
            var code = info.Code;
            var blocks = info.Blocks;
            var c = new CompiledCode(code.Length);
            // Chunks of consecutive blocks.
            var chunkStarts = new List<List<int>>();
            var current = new List<int>();
            int ops = 0;
            for (int pc = 0; pc <= code.Length; pc++)
            {
                if (blocks[pc].MinStack == BlockInfo.NotAStart.MinStack) continue;
                if (ops >= OpsPerChunk) { chunkStarts.Add(current); current = []; ops = 0; }
                c.JumpDest[pc] = pc < code.Length && code[pc] == 0x5b;
                current.Add(pc);
                // Count the block's opcodes.
                for (int at = pc; at < code.Length; )
                {
                    byte op = code[at];
                    ops++;
                    at += op is >= 0x60 and <= 0x7f ? op - 0x5e : 1;
                    if (OpcodeTable.EndsBlock[op] || (at < code.Length && blocks[at].MinStack != BlockInfo.NotAStart.MinStack)) break;
                }
                ops++;
            }
            chunkStarts.Add(current);
            var chunks = new List<Chunk>();
            for (int i = 0; i < chunkStarts.Count; i++)
            {
                Number(c, chunkStarts, i);
                var emitter = new ChunkEmitter(c, info, i, chunkStarts[i]);
                var chunk = emitter.Emit();
                if (emitter.IlSize > MaxChunkIl && chunkStarts[i].Count > 1)
                {
                    var all = chunkStarts[i];
                    chunkStarts[i] = all[..(all.Count / 2)];
                    chunkStarts.Insert(i + 1, all[(all.Count / 2)..]);
                    i--;
                    continue;
                }
                chunks.Add(chunk);
            }
            c.Chunks = [.. chunks];
            return c;
        }

        /// <summary>Numbers the blocks of chunks <paramref name="from"/> on: their chunk and their label within it.</summary>
        private static void Number(CompiledCode c, List<List<int>> chunks, int from)
        {
            for (int k = from; k < chunks.Count; k++)
                for (int j = 0; j < chunks[k].Count; j++) { c.ChunkOf[chunks[k][j]] = k; c.LocalIndex[chunks[k][j]] = j; }
        }
    }

    /// <summary>Writes one chunk's IL.</summary>
    private sealed class ChunkEmitter
    {
        private static readonly Type[] Parameters =
        [
            typeof(CompiledCode), typeof(Frame), typeof(UInt256).MakeByRefType(), typeof(long).MakeByRefType(),
            typeof(nint).MakeByRefType(), typeof(nint),
        ];
        // Vector256 intrinsics: the JIT expands them in place, so they need no inlining budget.
        private static readonly MethodInfo CreateScalar = typeof(Vector256).GetMethod(nameof(Vector256.CreateScalar), [typeof(ulong)])!;
        private static readonly MethodInfo CreateVector = typeof(Vector256).GetMethod(nameof(Vector256.Create), [typeof(ulong), typeof(ulong), typeof(ulong), typeof(ulong)])!;
        private static readonly FieldInfo ChunkOfField = typeof(CompiledCode).GetField(nameof(CompiledCode.ChunkOf))!;
        private static readonly FieldInfo LocalIndexField = typeof(CompiledCode).GetField(nameof(CompiledCode.LocalIndex))!;
        private static readonly FieldInfo EvmField = typeof(Frame).GetField(nameof(Frame.Evm))!;
        private static readonly FieldInfo GasLeftField = typeof(Frame).GetField(nameof(Frame.GasLeft))!;

        private static MethodInfo M(string name) =>
            typeof(Evm).GetMethod(name, BindingFlags.NonPublic | BindingFlags.Public | BindingFlags.Static | BindingFlags.Instance)
            ?? throw new InvalidOperationException($"missing {name}");

        private static readonly MethodInfo SlowMethod = M(nameof(Slow));
        private static readonly MethodInfo ReturnOrRevertMethod = M(nameof(ReturnOrRevert));
        private static readonly MethodInfo SelfDestructMethod = M(nameof(SelfDestruct));
        private static readonly MethodInfo HaltedMethod = M(nameof(Halted));
        private static readonly MethodInfo BlockEntryFailedMethod = M(nameof(BlockEntryFailed));
        private static readonly MethodInfo JumpTargetMethod = M(nameof(CJumpTarget));
        private static readonly MethodInfo MSizeMethod = M(nameof(CMSize));
        private static readonly MethodInfo[] Ternary = new MethodInfo[256];
        private static readonly MethodInfo[] Binary = new MethodInfo[256];
        private static readonly MethodInfo[] WithGas = new MethodInfo[256];

        static ChunkEmitter()
        {
            // ADD, SUB, the comparisons, EQ, ISZERO and the bitwise opcodes never reach these tables: EmitBlock computes
            // them on the virtual stack (as SHL/SHR by a constant).
            Binary[0x02] = M(nameof(CMul)); Binary[0x04] = M(nameof(CDiv)); Binary[0x05] = M(nameof(CSDiv));
            Binary[0x06] = M(nameof(CMod)); Binary[0x07] = M(nameof(CSMod)); Binary[0x0b] = M(nameof(CSignExtend));
            Binary[0x1a] = M(nameof(CByte)); Binary[0x1b] = M(nameof(CShl)); Binary[0x1c] = M(nameof(CShr));
            Binary[0x1d] = M(nameof(CSar));
            Ternary[0x08] = M(nameof(CAddMod)); Ternary[0x09] = M(nameof(CMulMod));
            WithGas[0x0a] = M(nameof(CExp)); WithGas[0x51] = M(nameof(CMLoad)); WithGas[0x52] = M(nameof(CMStore));
            WithGas[0x53] = M(nameof(CMStore8));
        }

        private readonly CompiledCode _c;
        private readonly byte[] _code;
        private readonly byte[] _padded;
        private readonly BlockInfo[] _blocks;
        private readonly int _chunk;
        private readonly List<int> _starts;
        private readonly DynamicMethod _method;
        private readonly ILGenerator _il;
        private readonly LocalBuilder _gas, _sp, _base, _next;
        private readonly Label[] _labels;
        private readonly Label _dispatch, _exit, _fail, _invalidJump;
        private readonly List<(Label Label, int Pc, int Gas)> _entryFailures = [];

        public ChunkEmitter(CompiledCode c, CodeInfo info, int chunk, List<int> starts)
        {
            _c = c;
            _code = info.Code;
            _padded = info.Padded;
            _blocks = info.Blocks;
            _chunk = chunk;
            _starts = starts;
            _method = new DynamicMethod($"evm_chunk_{chunk}", typeof(long), Parameters, typeof(Evm), skipVisibility: true);
            _il = _method.GetILGenerator(256 + starts.Count * 64);
            _gas = _il.DeclareLocal(typeof(long));
            _sp = _il.DeclareLocal(typeof(nint));
            _base = _il.DeclareLocal(typeof(UInt256).MakeByRefType());
            _next = _il.DeclareLocal(typeof(long));
            _labels = new Label[starts.Count];
            for (int i = 0; i < _labels.Length; i++) _labels[i] = _il.DefineLabel();
            _dispatch = _il.DefineLabel();
            _exit = _il.DefineLabel();
            _fail = _il.DefineLabel();
            _invalidJump = _il.DefineLabel();
        }

        /// <summary>Bytes of IL emitted, once <see cref="Emit"/> has run.</summary>
        public int IlSize => _il.ILOffset;

        public CompiledCode.Chunk Emit()
        {
            var il = _il;
            // gas, sp and the target pc into locals, then to the target block.
            il.Emit(OpCodes.Ldarg_3); il.Emit(OpCodes.Ldind_I8); il.Emit(OpCodes.Stloc, _gas);
            il.Emit(OpCodes.Ldarg_S, (byte)4); il.Emit(OpCodes.Ldind_I); il.Emit(OpCodes.Stloc, _sp);
            il.Emit(OpCodes.Ldarg_S, (byte)5); il.Emit(OpCodes.Conv_I8); il.Emit(OpCodes.Stloc, _next);

            // _next holds a valid block start: its label when this chunk has it, else leave for the driver.
            il.MarkLabel(_dispatch);
            il.Emit(OpCodes.Ldarg_0); il.Emit(OpCodes.Ldfld, ChunkOfField); il.Emit(OpCodes.Ldloc, _next); il.Emit(OpCodes.Conv_I);
            il.Emit(OpCodes.Ldelem_I4); Const(_chunk); il.Emit(OpCodes.Bne_Un, _exit);
            il.Emit(OpCodes.Ldarg_0); il.Emit(OpCodes.Ldfld, LocalIndexField); il.Emit(OpCodes.Ldloc, _next); il.Emit(OpCodes.Conv_I);
            il.Emit(OpCodes.Ldelem_I4); il.Emit(OpCodes.Switch, _labels);
            il.Emit(OpCodes.Br, _exit);

            for (int i = 0; i < _starts.Count; i++) EmitBlock(i, _starts[i]);

            il.MarkLabel(_exit);
            il.Emit(OpCodes.Ldarg_3); il.Emit(OpCodes.Ldloc, _gas); il.Emit(OpCodes.Stind_I8);
            il.Emit(OpCodes.Ldarg_S, (byte)4); il.Emit(OpCodes.Ldloc, _sp); il.Emit(OpCodes.Stind_I);
            il.Emit(OpCodes.Ldloc, _next); il.Emit(OpCodes.Ret);

            il.MarkLabel(_fail);
            il.Emit(OpCodes.Ldc_I8, ~(long)EvmStatus.Failure); il.Emit(OpCodes.Ret);

            il.MarkLabel(_invalidJump);
            il.Emit(OpCodes.Ldarg_1); Const((int)HaltReason.InvalidJump); Const(0); il.Emit(OpCodes.Call, HaltedMethod);
            ReturnStatus();

            foreach (var (label, pc, gas) in _entryFailures)
            {
                il.MarkLabel(label);
                il.Emit(OpCodes.Ldarg_1); Const(pc); il.Emit(OpCodes.Conv_I); il.Emit(OpCodes.Ldloc, _sp);
                il.Emit(OpCodes.Ldloc, _gas); il.Emit(OpCodes.Ldc_I8, (long)gas); il.Emit(OpCodes.Add);
                il.Emit(OpCodes.Call, BlockEntryFailedMethod);
                ReturnStatus();
            }
            return (CompiledCode.Chunk)_method.CreateDelegate(typeof(CompiledCode.Chunk), _c);
        }

        private bool IsBlockStart(int pc) => _blocks[pc].MinStack != BlockInfo.NotAStart.MinStack;

        private void EmitBlock(int index, int start)
        {
            var il = _il;
            il.MarkLabel(_labels[index]);
            var block = _blocks[start];
            var entryFailed = il.DefineLabel();
            _entryFailures.Add((entryFailed, start, block.Gas));
            if (block.Gas != 0)
            {
                il.Emit(OpCodes.Ldloc, _gas); il.Emit(OpCodes.Ldc_I8, (long)block.Gas); il.Emit(OpCodes.Sub);
                il.Emit(OpCodes.Dup); il.Emit(OpCodes.Stloc, _gas);
                il.Emit(OpCodes.Ldc_I4_0); il.Emit(OpCodes.Conv_I8); il.Emit(OpCodes.Blt, entryFailed);
            }
            // One unsigned range check covers underflow and overflow, as in the interpreter.
            il.Emit(OpCodes.Ldloc, _sp);
            if (block.MinStack != 0) { Const(block.MinStack); il.Emit(OpCodes.Conv_I); il.Emit(OpCodes.Sub); }
            il.Emit(OpCodes.Conv_U4); Const(block.StackRange); il.Emit(OpCodes.Bgt_Un, entryFailed);
            // base = ref stack[sp]: the block's stack items are at constant offsets from it.
            il.Emit(OpCodes.Ldarg_2); il.Emit(OpCodes.Ldloc, _sp); Const(32); il.Emit(OpCodes.Conv_I); il.Emit(OpCodes.Mul);
            il.Emit(OpCodes.Add); il.Emit(OpCodes.Stloc, _base);
            _virtual.Clear();
            _loaded.Clear();
            _limbsUsed = 0;

            int d = 0; // stack height relative to the block's entry
            int pc = start;
            if (pc < _code.Length && _code[pc] == 0x5b) pc++;
            while (true)
            {
                if (pc >= _code.Length) { EmitStop(); return; }
                if (pc != start && IsBlockStart(pc)) { Flush(d); AdvanceSp(d); Goto(pc); return; }
                byte op = _code[pc];
                if (!OpcodeTable.Defined[op] || op == 0xfe)
                {
                    il.Emit(OpCodes.Ldarg_1); Const((int)HaltReason.InvalidOpcode); Const(op); il.Emit(OpCodes.Call, HaltedMethod);
                    ReturnStatus();
                    return;
                }
                if (op is >= 0x5f and <= 0x7f)
                {
                    int n = op - 0x5f;
                    Set(d++, Constant(n == 0 ? default : ReadPush(pc + 1, n)));
                    pc += 1 + n;
                    continue;
                }
                switch (op)
                {
                    case 0x00:
                        EmitStop();
                        return;
                    case 0x50:
                        d--;
                        break;
                    case >= 0x80 and <= 0x8f:
                        Set(d, Get(d - (op - 0x7f)));
                        d++;
                        break;
                    case >= 0x90 and <= 0x9f:
                        {
                            int other = d - 1 - (op - 0x8f);
                            var top = Get(d - 1);
                            Set(d - 1, Get(other));
                            Set(other, top);
                            break;
                        }
                    case 0x01 or 0x03 or 0x10 or 0x11 or 0x12 or 0x13 or 0x14 or 0x16 or 0x17 or 0x18:
                        Set(d - 2, Binary2(op, Get(d - 1), Get(d - 2)));
                        d--;
                        break;
                    case 0x15 or 0x19:
                        Set(d - 1, Unary1(op, Get(d - 1)));
                        break;
                    case 0x1b or 0x1c when Get(d - 1).IsConstant:
                        Set(d - 2, ShiftByConstant(op == 0x1b, Get(d - 1).Limbs[0].Value | (Get(d - 1).FitsInUlong ? 0 : 256UL), Get(d - 2)));
                        d--;
                        break;
                    case 0x58: // PC
                        Set(d++, Constant(new UInt256((ulong)pc)));
                        break;
                    case 0x5a: // GAS: ends its block
                        Flush(d);
                        Slot(d); il.Emit(OpCodes.Ldloc, _gas); il.Emit(OpCodes.Call, CreateScalar); il.Emit(OpCodes.Stobj, typeof(Vector256<ulong>));
                        AdvanceSp(d + 1);
                        Goto(pc + 1);
                        return;
                    case 0x56: // JUMP
                        {
                            var target = Get(d - 1);
                            var limbs = target.IsConstant ? null : Materialize(target);
                            Flush(d - 1);
                            AdvanceSp(d - 1);
                            Jump(target, limbs);
                            return;
                        }
                    case 0x57: // JUMPI
                        {
                            var target = Get(d - 1);
                            var limbs = target.IsConstant ? null : Materialize(target);
                            var condition = Materialize(Get(d - 2));
                            Flush(d - 2);
                            AdvanceSp(d - 2);
                            var fallThrough = il.DefineLabel();
                            for (int i = 0; i < 4; i++) { Load(condition[i]); if (i > 0) il.Emit(OpCodes.Or); }
                            il.Emit(OpCodes.Brfalse, fallThrough);
                            Jump(target, limbs);
                            il.MarkLabel(fallThrough);
                            Goto(pc + 1);
                            return;
                        }
                    case 0xf3:
                    case 0xfd:
                        Flush(d);
                        Const(op); il.Emit(OpCodes.Ldarg_2); SpInt(d); il.Emit(OpCodes.Ldloc, _gas); il.Emit(OpCodes.Ldarg_1);
                        il.Emit(OpCodes.Call, ReturnOrRevertMethod);
                        ReturnStatus();
                        return;
                    case 0xff:
                        Flush(d);
                        il.Emit(OpCodes.Ldarg_1); il.Emit(OpCodes.Ldfld, EvmField); il.Emit(OpCodes.Ldarg_2); SpInt(d);
                        il.Emit(OpCodes.Ldloc, _gas); il.Emit(OpCodes.Ldarg_1); il.Emit(OpCodes.Call, SelfDestructMethod);
                        ReturnStatus();
                        return;
                    default:
                        // Everything else works on the stack in memory: write the virtual items out first.
                        Flush(d);
                        if (op == 0x59)
                        {
                            il.Emit(OpCodes.Ldarg_1); Slot(d); il.Emit(OpCodes.Call, MSizeMethod);
                        }
                        else if (Binary[op] is { } binary)
                        {
                            Slot(d - 1); il.Emit(OpCodes.Call, binary);
                        }
                        else if (Ternary[op] is { } ternary)
                        {
                            Slot(d - 1); il.Emit(OpCodes.Call, ternary);
                        }
                        else if (WithGas[op] is { } withGas)
                        {
                            if (op != 0x0a) il.Emit(OpCodes.Ldarg_1);
                            Slot(d - 1); il.Emit(OpCodes.Ldloc, _gas); il.Emit(OpCodes.Call, withGas);
                            CheckGas();
                        }
                        else
                        {
                            // Everything with state, calldata, logs or calls: the interpreter's own Slow.
                            il.Emit(OpCodes.Ldarg_1); il.Emit(OpCodes.Ldfld, EvmField); Const(op); il.Emit(OpCodes.Ldarg_2); SpInt(d);
                            il.Emit(OpCodes.Ldloc, _gas); il.Emit(OpCodes.Ldarg_1); il.Emit(OpCodes.Call, SlowMethod);
                            CheckGas();
                        }
                        d += OpcodeTable.StackGrowth[op];
                        if (OpcodeTable.EndsBlock[op])
                        {
                            AdvanceSp(d);
                            Goto(pc + 1);
                            return;
                        }
                        break;
                }
                pc++;
            }
        }

        private UInt256 ReadPush(int at, int n)
        {
            Span<byte> word = stackalloc byte[32];
            _padded.AsSpan(at, n).CopyTo(word[(32 - n)..]);
            // Data bytes past the code are zero in the padded copy; the interpreter's copy keeps PUSH data unchanged.
            return new UInt256(word);
        }

        /// <summary>Jumps to <paramref name="target"/> (sp already lowered past it): a direct branch for a constant, else
        /// through the chunk's dispatch with the target's <paramref name="limbs"/>.</summary>
        private void Jump(Item target, Limb[]? limbs)
        {
            var il = _il;
            if (limbs is null)
            {
                var value = target.ToUInt256();
                bool valid = value.FitsInUlong && value.U0 < (ulong)_code.Length && _c.JumpDest[(int)value.U0];
                if (valid) Goto((int)value.U0); else il.Emit(OpCodes.Br, _invalidJump);
                return;
            }
            il.Emit(OpCodes.Ldarg_0);
            for (int i = 0; i < 4; i++) Load(limbs[i]);
            il.Emit(OpCodes.Call, JumpTargetMethod);
            il.Emit(OpCodes.Dup); il.Emit(OpCodes.Stloc, _next);
            il.Emit(OpCodes.Ldc_I4_0); il.Emit(OpCodes.Conv_I8); il.Emit(OpCodes.Blt, _invalidJump);
            il.Emit(OpCodes.Br, _dispatch);
        }

        // ---- the virtual stack ----
        // Inside a block, PUSH, DUP, SWAP, POP and the cheap arithmetic move no stack words: they rearrange compile-time
        // descriptions of the items (a constant, 64-bit IL locals, or the word still in its memory slot). Flush writes
        // the items whose slot does not already hold them before anything that reads the stack in memory (helpers,
        // the block's end).

        /// <summary>One 64-bit limb: a constant (Local null) or an IL local.</summary>
        private readonly record struct Limb(LocalBuilder? Local, ulong Value);

        /// <summary>A stack item: the word in memory slot <see cref="Slot"/> (relative to the block's entry), or limbs.</summary>
        private sealed class Item
        {
            public const int NotInMemory = int.MinValue;
            public int Slot = NotInMemory;
            public Limb[] Limbs = [];
            public bool IsConstant => Slot == NotInMemory && Limbs[0].Local is null && Limbs[1].Local is null && Limbs[2].Local is null && Limbs[3].Local is null;
            public bool FitsInUlong => Limbs[1].Value == 0 && Limbs[2].Value == 0 && Limbs[3].Value == 0;
            public UInt256 ToUInt256() => new(Limbs[0].Value, Limbs[1].Value, Limbs[2].Value, Limbs[3].Value);
        }

        private readonly Dictionary<int, Item> _virtual = [];
        private readonly Dictionary<int, Limb[]> _loaded = [];
        private readonly List<LocalBuilder> _limbLocals = [];
        private int _limbsUsed;

        private Item Get(int r) => _virtual.TryGetValue(r, out var item) ? item : new Item { Slot = r };
        private void Set(int r, Item item) => _virtual[r] = item;

        private static Item Constant(UInt256 v) => new() { Limbs = [new(null, v.U0), new(null, v.U1), new(null, v.U2), new(null, v.U3)] };
        private static Item Of(Limb[] limbs) => new() { Limbs = limbs };

        private LocalBuilder NewLocal()
        {
            if (_limbsUsed == _limbLocals.Count) _limbLocals.Add(_il.DeclareLocal(typeof(ulong)));
            return _limbLocals[_limbsUsed++];
        }

        /// <summary>Pops the IL stack's ulong into a fresh local.</summary>
        private Limb StoreNew()
        {
            var local = NewLocal();
            _il.Emit(OpCodes.Stloc, local);
            return new Limb(local, 0);
        }

        private void Load(Limb limb)
        {
            if (limb.Local is { } local) _il.Emit(OpCodes.Ldloc, local);
            else if (limb.Value <= int.MaxValue) { Const((int)limb.Value); _il.Emit(OpCodes.Conv_U8); } // 2-6 bytes of IL, not 9
            else _il.Emit(OpCodes.Ldc_I8, (long)limb.Value);
        }

        /// <summary>The item's limbs; an item in memory is read into locals (once per slot until the next flush).</summary>
        private Limb[] Materialize(Item item)
        {
            if (item.Slot == Item.NotInMemory) return item.Limbs;
            if (_loaded.TryGetValue(item.Slot, out var limbs)) return limbs;
            limbs = new Limb[4];
            for (int i = 0; i < 4; i++) { LimbAddress(item.Slot, i); _il.Emit(OpCodes.Ldind_I8); limbs[i] = StoreNew(); }
            _loaded[item.Slot] = limbs;
            return limbs;
        }

        /// <summary>Writes every virtual item below <paramref name="height"/> into its slot; afterwards memory holds the
        /// whole stack. Every source is read before any slot is written, so items moved between slots stay intact.</summary>
        private void Flush(int height)
        {
            var writes = new List<(int Slot, Limb[] Limbs)>();
            foreach (var (r, item) in _virtual)
            {
                if (r >= height || item.Slot == r) continue;
                writes.Add((r, Materialize(item)));
            }
            foreach (var (r, limbs) in writes)
            {
                Slot(r);
                if (limbs[1] is { Local: null, Value: 0 } && limbs[2] is { Local: null, Value: 0 } && limbs[3] is { Local: null, Value: 0 })
                {
                    Load(limbs[0]);
                    _il.Emit(OpCodes.Call, CreateScalar);
                }
                else
                {
                    for (int i = 0; i < 4; i++) Load(limbs[i]);
                    _il.Emit(OpCodes.Call, CreateVector);
                }
                _il.Emit(OpCodes.Stobj, typeof(Vector256<ulong>));
            }
            _virtual.Clear();
            _loaded.Clear();
        }

        /// <summary>ADD, SUB, comparisons, EQ, AND, OR, XOR of the top item <paramref name="a"/> and the next <paramref name="b"/>.</summary>
        private Item Binary2(byte op, Item a, Item b)
        {
            if (a.IsConstant && b.IsConstant) return Constant(Fold(op, a.ToUInt256(), b.ToUInt256()));
            var x = Materialize(a);
            var y = Materialize(b);
            var il = _il;
            var r = new Limb[4];
            switch (op)
            {
                case 0x01: // x + y
                    {
                        Load(x[0]); Load(y[0]); il.Emit(OpCodes.Add); r[0] = StoreNew();
                        Load(r[0]); Load(x[0]); il.Emit(OpCodes.Clt_Un); il.Emit(OpCodes.Conv_U8); var carry = StoreNew();
                        for (int i = 1; i < 4; i++)
                        {
                            Load(x[i]); Load(y[i]); il.Emit(OpCodes.Add); var sum = StoreNew();
                            Load(sum); Load(carry); il.Emit(OpCodes.Add); r[i] = StoreNew();
                            if (i == 3) break;
                            // carry out: sum < x (first add) or r < sum (adding the carry in)
                            Load(sum); Load(x[i]); il.Emit(OpCodes.Clt_Un); Load(r[i]); Load(sum); il.Emit(OpCodes.Clt_Un); il.Emit(OpCodes.Or);
                            il.Emit(OpCodes.Conv_U8); carry = StoreNew();
                        }
                        break;
                    }
                case 0x03: // x - y
                    {
                        Load(x[0]); Load(y[0]); il.Emit(OpCodes.Sub); r[0] = StoreNew();
                        Load(x[0]); Load(y[0]); il.Emit(OpCodes.Clt_Un); il.Emit(OpCodes.Conv_U8); var borrow = StoreNew();
                        for (int i = 1; i < 4; i++)
                        {
                            Load(x[i]); Load(y[i]); il.Emit(OpCodes.Sub); var diff = StoreNew();
                            Load(diff); Load(borrow); il.Emit(OpCodes.Sub); r[i] = StoreNew();
                            if (i == 3) break;
                            Load(x[i]); Load(y[i]); il.Emit(OpCodes.Clt_Un); Load(diff); Load(borrow); il.Emit(OpCodes.Clt_Un); il.Emit(OpCodes.Or);
                            il.Emit(OpCodes.Conv_U8); borrow = StoreNew();
                        }
                        break;
                    }
                case 0x10: LessThan(x, y, signed: false); return Bool();
                case 0x11: LessThan(y, x, signed: false); return Bool();
                case 0x12: LessThan(x, y, signed: true); return Bool();
                case 0x13: LessThan(y, x, signed: true); return Bool();
                case 0x14:
                    for (int i = 0; i < 4; i++) { Load(x[i]); Load(y[i]); il.Emit(OpCodes.Xor); if (i > 0) il.Emit(OpCodes.Or); }
                    il.Emit(OpCodes.Ldc_I4_0); il.Emit(OpCodes.Conv_I8); il.Emit(OpCodes.Ceq);
                    return Bool();
                default: // AND, OR, XOR limb by limb
                    var bitwise = op == 0x16 ? OpCodes.And : op == 0x17 ? OpCodes.Or : OpCodes.Xor;
                    for (int i = 0; i < 4; i++)
                    {
                        // Constant limbs that decide the result (AND with 0, OR with ~0) need no code.
                        if (op == 0x16 && (x[i] is { Local: null, Value: 0 } || y[i] is { Local: null, Value: 0 })) { r[i] = new(null, 0); continue; }
                        Load(x[i]); Load(y[i]); il.Emit(bitwise); r[i] = StoreNew();
                    }
                    break;
            }
            return Of(r);
        }

        /// <summary>ISZERO and NOT.</summary>
        private Item Unary1(byte op, Item a)
        {
            if (a.IsConstant) return Constant(op == 0x15 ? (a.ToUInt256().IsZero ? UInt256.One : default) : UInt256.Not(a.ToUInt256()));
            var x = Materialize(a);
            if (op == 0x15)
            {
                for (int i = 0; i < 4; i++) { Load(x[i]); if (i > 0) _il.Emit(OpCodes.Or); }
                _il.Emit(OpCodes.Ldc_I4_0); _il.Emit(OpCodes.Conv_I8); _il.Emit(OpCodes.Ceq);
                return Bool();
            }
            var r = new Limb[4];
            for (int i = 0; i < 4; i++) { Load(x[i]); _il.Emit(OpCodes.Not); r[i] = StoreNew(); }
            return Of(r);
        }

        /// <summary>The int32 0/1 on the IL stack as a 0/1 word.</summary>
        private Item Bool()
        {
            _il.Emit(OpCodes.Conv_U8);
            return Of([StoreNew(), new(null, 0), new(null, 0), new(null, 0)]);
        }

        /// <summary>Leaves x &lt; y (int32 0/1) on the IL stack: from the top limb down, less, or equal and the rest less.</summary>
        private void LessThan(Limb[] x, Limb[] y, bool signed)
        {
            var il = _il;
            Load(x[0]); Load(y[0]); il.Emit(OpCodes.Clt_Un);
            for (int i = 1; i < 4; i++)
            {
                bool flip = signed && i == 3;
                LoadLimb(x[i], flip); LoadLimb(y[i], flip); il.Emit(OpCodes.Ceq); il.Emit(OpCodes.And);
                LoadLimb(x[i], flip); LoadLimb(y[i], flip); il.Emit(OpCodes.Clt_Un); il.Emit(OpCodes.Or);
            }
        }

        /// <summary>Loads a limb, with its sign bit flipped for a signed comparison of top limbs.</summary>
        private void LoadLimb(Limb limb, bool flipSign)
        {
            Load(limb);
            if (flipSign) { _il.Emit(OpCodes.Ldc_I8, long.MinValue); _il.Emit(OpCodes.Xor); }
        }

        /// <summary>SHL or SHR by a constant: limbs move at compile time, only the bits within limbs shift at run time.</summary>
        private Item ShiftByConstant(bool left, ulong shift, Item value)
        {
            if (shift >= 256) return Constant(default);
            if (value.IsConstant)
                return Constant(left ? UInt256.ShiftLeft(value.ToUInt256(), (int)shift) : UInt256.ShiftRight(value.ToUInt256(), (int)shift));
            var x = Materialize(value);
            int q = (int)(shift / 64), s = (int)(shift % 64);
            var r = new Limb[4];
            for (int i = 0; i < 4; i++)
            {
                // SHR: limb i takes bits from x[i + q] (low part) and x[i + q + 1]; SHL: from x[i - q] and x[i - q - 1].
                int main = left ? i - q : i + q, spill = left ? main - 1 : main + 1;
                bool hasMain = main is >= 0 and < 4, hasSpill = s != 0 && spill is >= 0 and < 4;
                if (!hasMain) { r[i] = new(null, 0); continue; }
                Load(x[main]);
                if (s != 0) { Const(s); _il.Emit(left ? OpCodes.Shl : OpCodes.Shr_Un); }
                if (hasSpill)
                {
                    Load(x[spill]); Const(64 - s); _il.Emit(left ? OpCodes.Shr_Un : OpCodes.Shl); _il.Emit(OpCodes.Or);
                }
                r[i] = StoreNew();
            }
            return Of(r);
        }

        private static UInt256 Fold(byte op, UInt256 a, UInt256 b) => op switch
        {
            0x01 => UInt256.Add(a, b),
            0x03 => UInt256.Subtract(a, b),
            0x10 => UInt256.LessThan(a, b) ? UInt256.One : default,
            0x11 => UInt256.LessThan(b, a) ? UInt256.One : default,
            0x12 => UInt256.SignedLessThan(a, b) ? UInt256.One : default,
            0x13 => UInt256.SignedLessThan(b, a) ? UInt256.One : default,
            0x14 => a.Equals(b) ? UInt256.One : default,
            0x16 => UInt256.And(a, b),
            0x17 => UInt256.Or(a, b),
            _ => UInt256.Xor(a, b),
        };

        private void Goto(int pc)
        {
            if (pc >= _code.Length) { EmitStop(); return; }
            if (_c.ChunkOf[pc] == _chunk) { _il.Emit(OpCodes.Br, _labels[_c.LocalIndex[pc]]); return; }
            _il.Emit(OpCodes.Ldc_I8, (long)pc); _il.Emit(OpCodes.Stloc, _next); _il.Emit(OpCodes.Br, _exit);
        }

        private void EmitStop()
        {
            _il.Emit(OpCodes.Ldarg_1); _il.Emit(OpCodes.Ldloc, _gas); _il.Emit(OpCodes.Stfld, GasLeftField);
            _il.Emit(OpCodes.Ldc_I8, ~(long)EvmStatus.Success); _il.Emit(OpCodes.Ret);
        }

        private void ReturnStatus()
        {
            _il.Emit(OpCodes.Conv_I8); _il.Emit(OpCodes.Not); _il.Emit(OpCodes.Ret);
        }

        private void CheckGas()
        {
            _il.Emit(OpCodes.Dup); _il.Emit(OpCodes.Stloc, _gas);
            _il.Emit(OpCodes.Ldc_I4_0); _il.Emit(OpCodes.Conv_I8); _il.Emit(OpCodes.Blt, _fail);
        }

        private void AdvanceSp(int d)
        {
            if (d == 0) return;
            _il.Emit(OpCodes.Ldloc, _sp); Const(d); _il.Emit(OpCodes.Conv_I); _il.Emit(OpCodes.Add); _il.Emit(OpCodes.Stloc, _sp);
        }

        /// <summary>sp + d as an int (the helpers' parameter); sp itself is unchanged.</summary>
        private void SpInt(int d)
        {
            _il.Emit(OpCodes.Ldloc, _sp);
            if (d != 0) { Const(d); _il.Emit(OpCodes.Conv_I); _il.Emit(OpCodes.Add); }
            _il.Emit(OpCodes.Conv_I4);
        }

        /// <summary>The address of the stack item at height <paramref name="r"/> relative to the block's entry.</summary>
        private void Slot(int r)
        {
            _il.Emit(OpCodes.Ldloc, _base);
            if (r != 0) { Const(r * 32); _il.Emit(OpCodes.Conv_I); _il.Emit(OpCodes.Add); }
        }

        private void Const(int value)
        {
            if (value is >= -1 and <= 8) _il.Emit(value switch
            {
                -1 => OpCodes.Ldc_I4_M1, 0 => OpCodes.Ldc_I4_0, 1 => OpCodes.Ldc_I4_1, 2 => OpCodes.Ldc_I4_2, 3 => OpCodes.Ldc_I4_3,
                4 => OpCodes.Ldc_I4_4, 5 => OpCodes.Ldc_I4_5, 6 => OpCodes.Ldc_I4_6, 7 => OpCodes.Ldc_I4_7, _ => OpCodes.Ldc_I4_8,
            });
            else if (value is >= sbyte.MinValue and <= sbyte.MaxValue) _il.Emit(OpCodes.Ldc_I4_S, (sbyte)value);
            else _il.Emit(OpCodes.Ldc_I4, value);
        }

        /// <summary>The address of limb <paramref name="i"/> (little-endian 64-bit words) of the item at <paramref name="r"/>.</summary>
        private void LimbAddress(int r, int i)
        {
            _il.Emit(OpCodes.Ldloc, _base);
            int offset = r * 32 + i * 8;
            if (offset != 0) { Const(offset); _il.Emit(OpCodes.Conv_I); _il.Emit(OpCodes.Add); }
        }

    }

    // ---- helpers the compiled code calls: each works on the top stack item's address, as the interpreter's cases do ----

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ref UInt256 Below(ref UInt256 top, int n) => ref Unsafe.Subtract(ref top, n);

    [MethodImpl(MethodImplOptions.AggressiveInlining)] private static void CMul(ref UInt256 a) { ref var b = ref Below(ref a, 1); b = UInt256.Multiply(a, b); }
    [MethodImpl(MethodImplOptions.AggressiveInlining)] private static void CDiv(ref UInt256 a) { ref var b = ref Below(ref a, 1); b = UInt256.Divide(a, b); }
    [MethodImpl(MethodImplOptions.AggressiveInlining)] private static void CSDiv(ref UInt256 a) { ref var b = ref Below(ref a, 1); b = UInt256.SignedDivide(a, b); }
    [MethodImpl(MethodImplOptions.AggressiveInlining)] private static void CMod(ref UInt256 a) { ref var b = ref Below(ref a, 1); b = UInt256.Modulo(a, b); }
    [MethodImpl(MethodImplOptions.AggressiveInlining)] private static void CSMod(ref UInt256 a) { ref var b = ref Below(ref a, 1); b = UInt256.SignedModulo(a, b); }
    [MethodImpl(MethodImplOptions.AggressiveInlining)] private static void CAddMod(ref UInt256 a) { ref var c = ref Below(ref a, 2); c = UInt256.AddMod(a, Below(ref a, 1), c); }
    [MethodImpl(MethodImplOptions.AggressiveInlining)] private static void CMulMod(ref UInt256 a) { ref var c = ref Below(ref a, 2); c = UInt256.MulMod(a, Below(ref a, 1), c); }
    [MethodImpl(MethodImplOptions.AggressiveInlining)] private static void CSignExtend(ref UInt256 a) { ref var b = ref Below(ref a, 1); b = UInt256.SignExtend(a, b); }
    [MethodImpl(MethodImplOptions.AggressiveInlining)] private static void CByte(ref UInt256 a) { ref var b = ref Below(ref a, 1); b = UInt256.Byte(a, b); }
    [MethodImpl(MethodImplOptions.AggressiveInlining)] private static void CShl(ref UInt256 a) { ref var b = ref Below(ref a, 1); b = a.FitsInUlong && a.U0 < 256 ? UInt256.ShiftLeft(b, (int)a.U0) : default; }
    [MethodImpl(MethodImplOptions.AggressiveInlining)] private static void CShr(ref UInt256 a) { ref var b = ref Below(ref a, 1); b = a.FitsInUlong && a.U0 < 256 ? UInt256.ShiftRight(b, (int)a.U0) : default; }
    [MethodImpl(MethodImplOptions.AggressiveInlining)] private static void CSar(ref UInt256 a) { ref var b = ref Below(ref a, 1); b = UInt256.ShiftRightArithmetic(b, a); }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void CMSize(Frame f, ref UInt256 slot) => slot = new UInt256((ulong)f.Memory.Size);

    /// <summary>EXP's exponent-size gas, then the power; the gas left, or negative.</summary>
    private static long CExp(ref UInt256 a, long gas)
    {
        ref var e = ref Below(ref a, 1);
        gas -= 50L * ((e.BitLength + 7) / 8);
        if (gas < 0) return gas;
        e = UInt256.Exp(a, e);
        return gas;
    }

    /// <summary>Memory [offset, offset+size) made active: the gas left after any expansion, or negative.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static long Reserve(EvmMemory memory, long gas, in UInt256 offset, int size) =>
        InMemory(memory, offset, size) ? gas : ExpandGas(memory, gas, offset, size);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static long CMLoad(Frame f, ref UInt256 a, long gas)
    {
        gas = Reserve(f.Memory, gas, a, 32);
        if (gas < 0) return gas;
        a = UInt256.ReadBigEndian(ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(f.Memory.Buffer), (nint)a.U0));
        return gas;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static long CMStore(Frame f, ref UInt256 offset, long gas)
    {
        gas = Reserve(f.Memory, gas, offset, 32);
        if (gas < 0) return gas;
        Below(ref offset, 1).WriteBigEndian(ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(f.Memory.Buffer), (nint)offset.U0));
        return gas;
    }

    private static long CMStore8(Frame f, ref UInt256 offset, long gas)
    {
        gas = Reserve(f.Memory, gas, offset, 1);
        if (gas < 0) return gas;
        f.Memory.Buffer[(int)offset.U0] = (byte)Below(ref offset, 1).U0;
        return gas;
    }

    /// <summary>A computed jump's target when it is a JUMPDEST that starts a block, else -1.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static long CJumpTarget(CompiledCode c, ulong u0, ulong u1, ulong u2, ulong u3) =>
        (u1 | u2 | u3) == 0 && u0 < (ulong)c.JumpDest.Length && c.JumpDest[(int)u0] ? (long)u0 : -1;
}
