using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using Pwr.Core;
using Pwr.Vm.Evm.Numerics;
using Pwr.Vm.Evm.Precompiles;
using Pwr.Vm.Evm.Tracing;

namespace Pwr.Vm.Evm.Execution;

/// <summary>How a frame ended: success, REVERT (state undone, gas kept) or an exceptional halt (all gas gone).</summary>
internal enum EvmStatus : byte { Success, Revert, Failure }

/// <summary>The result of a message call or create.</summary>
internal readonly record struct CallResult(EvmStatus Status, long GasLeft, byte[] Output, Address CreatedAddress = default)
{
    public static CallResult Fail() => new(EvmStatus.Failure, 0, []);
}

/// <summary>A message to a frame: who calls, whose context runs, with which value, input and gas.</summary>
internal struct Message
{
    public Address Caller;
    public Address Recipient;
    public Address CodeAddress;
    public UInt256 Value;
    public ReadOnlyMemory<byte> Input;
    public long Gas;
    public int Depth;
    public bool IsStatic;
    /// <summary>The opcode that opened this frame (CALL or CREATE for a transaction), for tracers.</summary>
    public CallKind Kind;
}

/// <summary>The Cancun interpreter: message calls, creates and the opcode loop over one <see cref="WorldState"/>.</summary>
/// <remarks>Frames recurse on the CLR stack (up to 1025 deep), so run it on a thread with a large stack
/// (see <see cref="EvmThread"/>). Stacks and memories are pooled per depth; the loop allocates nothing per opcode.</remarks>
internal sealed partial class Evm
{
    public const int MaxDepth = 1024;
    public const int MaxCodeSize = 24576;
    public const int MaxInitCodeSize = 2 * MaxCodeSize;
    private const int StackLimit = 1024;

    private readonly WorldState _state;
    private readonly BlockContext _block;
    private readonly UInt256 _blobBaseFee;
    private readonly byte[] _scratch = new byte[64];
    private readonly KeccakCache _keccakCache = new();
    private readonly Frame?[] _frames = new Frame[MaxDepth + 1];

    public Evm(WorldState state, BlockContext block)
    {
        _state = state;
        _block = block;
        _blobBaseFee = block.BlobBaseFee;
    }

    /// <summary>Transaction origin and effective gas price for ORIGIN and GASPRICE.</summary>
    public Address Origin { get; set; }
    public UInt256 GasPrice { get; set; }
    public IReadOnlyList<Hash32> BlobHashes { get; set; } = [];

    public WorldState State => _state;

    /// <summary>Records call frames when set; null (the default) costs one null check per frame and nothing per opcode.</summary>
    internal CallTracer? Tracer { get; set; }

    /// <summary>Records the state the transaction looks at when set; null costs one null check in the state-reading opcodes.</summary>
    internal PrestateTracer? Prestate { get; set; }

    /// <summary>Starts a transaction: hashes cached by the previous one are forgotten.</summary>
    public void BeginTransaction() => _keccakCache.Clear();

    // ---------------- calls ----------------

    /// <summary>CALL-family entry: value moves from caller to recipient (when recipient differs), then code runs.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public CallResult Call(in Message msg, bool transfersValue)
        => Tracer is null ? ExecuteCall(msg, transfersValue) : TracedCall(msg, transfersValue);

    private CallResult ExecuteCall(in Message msg, bool transfersValue)
    {
        if (msg.Depth > MaxDepth) return new CallResult(EvmStatus.Revert, msg.Gas, []);
        if (transfersValue && !msg.Value.IsZero && UInt256.LessThan(_state.GetBalance(msg.Caller), msg.Value))
            return new CallResult(EvmStatus.Revert, msg.Gas, []);

        int snapshot = _state.Snapshot();
        bool isPrecompile = IsPrecompile(msg.CodeAddress, out int precompileId);
        if (transfersValue)
        {
            // EIP-161: a zero-value call to a missing account does not create (or touch) it.
            if (!_state.Exists(msg.Recipient) && !isPrecompile && msg.Value.IsZero)
                return new CallResult(EvmStatus.Success, msg.Gas, []);
            if (!msg.Value.IsZero) _state.SubtractBalance(msg.Caller, msg.Value);
            _state.AddBalance(msg.Recipient, msg.Value);
        }
        else if (msg.IsStatic && msg.Recipient == msg.CodeAddress)
        {
            // STATICCALL touches its target like a zero-value transfer would.
            _state.Touch(msg.Recipient);
        }

        CallResult result;
        if (isPrecompile)
        {
            var p = PrecompileSet.Run(precompileId, msg.Input.Span, msg.Gas);
            result = p.Success && p.GasUsed <= msg.Gas
                ? new CallResult(EvmStatus.Success, msg.Gas - p.GasUsed, p.Output)
                : CallResult.Fail();
        }
        else
        {
            var code = _state.GetCode(msg.CodeAddress);
            result = code.Length == 0 ? new CallResult(EvmStatus.Success, msg.Gas, []) : Run(msg, code);
        }
        if (result.Status != EvmStatus.Success) _state.Revert(snapshot);
        return result;
    }

    private static bool IsPrecompile(in Address address, out int id)
    {
        id = address.SmallId(PrecompileSet.Count);
        return id != 0;
    }

    /// <summary>CREATE/CREATE2 (and create transactions): bumps the creator's nonce, checks collisions, runs init code
    /// and deposits the returned code (EIP-170 size limit, EIP-3541 0xEF rejection, 200 gas per byte).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public CallResult Create(in Message msg, byte[] initCode, Address newAddress, bool bumpNonce)
        => Tracer is null ? ExecuteCreate(msg, initCode, newAddress, bumpNonce) : TracedCreate(msg, initCode, newAddress, bumpNonce);

    private CallResult ExecuteCreate(in Message msg, byte[] initCode, Address newAddress, bool bumpNonce)
    {
        if (msg.Depth > MaxDepth) return new CallResult(EvmStatus.Revert, msg.Gas, []);
        if (!msg.Value.IsZero && UInt256.LessThan(_state.GetBalance(msg.Caller), msg.Value))
            return new CallResult(EvmStatus.Revert, msg.Gas, []);
        if (bumpNonce)
        {
            ulong nonce = _state.GetNonce(msg.Caller);
            if (nonce == ulong.MaxValue) return new CallResult(EvmStatus.Revert, msg.Gas, []);
            _state.SetNonce(msg.Caller, nonce + 1);
        }
        _state.WarmAccount(newAddress);
        if (_state.HasCollision(newAddress)) return CallResult.Fail();

        int snapshot = _state.Snapshot();
        _state.CreateAccount(newAddress);
        _state.SetNonce(newAddress, 1);
        if (!msg.Value.IsZero) _state.SubtractBalance(msg.Caller, msg.Value);
        _state.AddBalance(newAddress, msg.Value);

        var frame = msg;
        frame.Recipient = newAddress;
        frame.CodeAddress = newAddress;
        frame.Input = ReadOnlyMemory<byte>.Empty;
        var result = initCode.Length == 0 ? new CallResult(EvmStatus.Success, msg.Gas, []) : Run(frame, CodeInfo.ForInitCode(initCode));
        if (result.Status == EvmStatus.Success)
        {
            var code = result.Output;
            long depositGas = 200L * code.Length;
            if (code.Length > MaxCodeSize || (code.Length > 0 && code[0] == 0xEF) || depositGas > result.GasLeft)
            {
                Tracer?.DepositFailed(code, result.GasLeft);
                result = CallResult.Fail();
            }
            else
            {
                if (code.Length > 0) _state.SetCode(newAddress, code);
                return new CallResult(EvmStatus.Success, result.GasLeft - depositGas, [], newAddress);
            }
        }
        _state.Revert(snapshot);
        return result;
    }

    /// <summary>CREATE address: keccak256(rlp([sender, nonce]))[12:].</summary>
    public static Address CreateAddress(in Address sender, ulong nonce)
    {
        Span<byte> buffer = stackalloc byte[32];
        Span<byte> nonceBytes = stackalloc byte[8];
        int nonceLength = 0;
        if (nonce != 0 && nonce < 0x80) { nonceBytes[0] = (byte)nonce; nonceLength = 1; }
        else if (nonce >= 0x80)
        {
            int bytes = (64 - System.Numerics.BitOperations.LeadingZeroCount(nonce) + 7) / 8;
            for (int i = 0; i < bytes; i++) nonceBytes[i] = (byte)(nonce >> (8 * (bytes - 1 - i)));
            nonceLength = bytes;
        }
        // rlp list: [0x94 ++ address (21 bytes), nonce item]
        int nonceItem = nonceLength == 1 && nonceBytes[0] < 0x80 ? 1 : 1 + nonceLength;
        if (nonceLength == 0) nonceItem = 1;
        buffer[0] = (byte)(0xc0 + 21 + nonceItem);
        buffer[1] = 0x94;
        sender.WriteTo(buffer[2..22]);
        if (nonceLength == 0) buffer[22] = 0x80;
        else if (nonceItem == 1) buffer[22] = nonceBytes[0];
        else { buffer[22] = (byte)(0x80 + nonceLength); nonceBytes[..nonceLength].CopyTo(buffer[23..]); }
        Span<byte> hash = stackalloc byte[32];
        Keccak.Hash256(buffer[..(1 + 21 + nonceItem)], hash);
        return new Address(hash[12..]);
    }

    /// <summary>CREATE2 address: keccak256(0xff ++ sender ++ salt ++ keccak256(initCode))[12:].</summary>
    public static Address Create2Address(in Address sender, in UInt256 salt, ReadOnlySpan<byte> initCode)
    {
        Span<byte> buffer = stackalloc byte[85];
        buffer[0] = 0xff;
        sender.WriteTo(buffer[1..21]);
        salt.WriteBigEndian(buffer[21..53]);
        Keccak.Hash256(initCode, buffer[53..85]);
        Span<byte> hash = stackalloc byte[32];
        Keccak.Hash256(buffer, hash);
        return new Address(hash[12..]);
    }

    // ---------------- helpers ----------------

    [MethodImpl(MethodImplOptions.NoInlining)]
    internal static Address ToAddress(in UInt256 value)
    {
        Span<byte> bytes = stackalloc byte[32];
        value.WriteBigEndian(bytes);
        return new Address(bytes[12..]);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    internal static UInt256 FromAddress(in Address address)
    {
        Span<byte> bytes = stackalloc byte[32];
        bytes[..12].Clear();
        address.WriteTo(bytes[12..]);
        return new UInt256(bytes);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static UInt256 FromHash(in Hash32 hash)
    {
        Span<byte> bytes = stackalloc byte[32];
        hash.WriteTo(bytes);
        return new UInt256(bytes);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static Hash32 ToHash(in UInt256 value)
    {
        Span<byte> bytes = stackalloc byte[32];
        value.WriteBigEndian(bytes);
        return new Hash32(bytes);
    }

    private static long MemoryCost(ulong words) => (long)(3 * words + words * words / 512);

    /// <summary>Charges memory expansion to cover [offset, offset+length); false when out of gas.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool Expand(EvmMemory memory, ref long gas, in UInt256 offset, in UInt256 length)
    {
        if (length.IsZero) return true;
        return ExpandSlow(memory, ref gas, offset, length);
    }

    private static bool ExpandSlow(EvmMemory memory, ref long gas, in UInt256 offset, in UInt256 length)
    {
        // Past 2^32 bytes the quadratic cost exceeds any gas limit, so such requests are simply out of gas.
        if (!offset.FitsInUlong || !length.FitsInUlong || offset.U0 > uint.MaxValue || length.U0 > uint.MaxValue) return false;
        ulong end = offset.U0 + length.U0;
        if (end <= (ulong)memory.Size) return true;
        ulong words = (end + 31) / 32;
        long cost = MemoryCost(words) - MemoryCost((ulong)memory.Size / 32);
        gas -= cost;
        if (gas < 0) return false;
        memory.Grow((long)words * 32);
        return true;
    }

    private static long Words(ulong length) => (long)((length + 31) / 32);

    /// <summary>Copies source[offset..offset+length) into destination, zero-filling past the end of the source.</summary>
    private static void CopyPadded(ReadOnlySpan<byte> source, in UInt256 offset, Span<byte> destination)
    {
        if (!offset.FitsInUlong || offset.U0 >= (ulong)source.Length)
        {
            destination.Clear();
            return;
        }
        int start = (int)offset.U0;
        int available = Math.Min(source.Length - start, destination.Length);
        source.Slice(start, available).CopyTo(destination);
        destination[available..].Clear();
    }

    /// <summary>Reads PUSH data: <paramref name="count"/> (3..32) big-endian bytes at <paramref name="start"/>. The
    /// code is padded with 33 zero bytes, so 32 bytes can always be read and the surplus is shifted out.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static UInt256 ReadPush(ref byte start, int count)
    {
        if (count <= 8)
            return new UInt256(BinaryPrimitives.ReverseEndianness(Unsafe.ReadUnaligned<ulong>(ref start)) >> (64 - 8 * count));
        return ReadLongPush(ref start, count);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static UInt256 ReadLongPush(ref byte start, int count)
    {
        var word = UInt256.ReadBigEndian(ref start);
        return count == 32 ? word : UInt256.ShiftRight(word, 256 - 8 * count);
    }

    /// <summary>True when [offset, offset+size) is already inside active memory (no expansion, no gas).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool InMemory(EvmMemory memory, in UInt256 offset, int size) =>
        offset.FitsInUlong && offset.U0 <= uint.MaxValue && (long)offset.U0 + size <= memory.Size;

    /// <summary>Expansion for a fixed-size access: the gas left, or -1 when out of gas.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static long ExpandGas(EvmMemory memory, long gas, in UInt256 offset, int size) =>
        ExpandSlow(memory, ref gas, offset, new UInt256((ulong)size)) ? gas : -1;

    // ---------------- interpreter ----------------

    private CallResult Run(in Message msg, CodeInfo codeInfo)
    {
        var frame = _frames[msg.Depth] ??= new Frame(this);
        frame.Msg = msg;
        frame.Code = codeInfo;
        frame.Blocks = codeInfo.Blocks;
        frame.ReturnData = [];
        frame.Halt = HaltReason.None;
        try
        {
            if (Stepping) return RunStepped(frame);
            var compiled = CompiledFor(codeInfo);
            var status = compiled is not null ? RunCompiled(frame, compiled) : Interpret<PerBlock>(frame);
            if (compiled is null) NoteInterpreted(codeInfo, status == EvmStatus.Failure ? msg.Gas : msg.Gas - frame.GasLeft);
            if (status != EvmStatus.Failure) return new CallResult(status, frame.GasLeft, frame.Output);
            if (Tracer is not null) _lastHalt = HaltError(frame.Halt, frame.HaltA, frame.HaltB);
            return CallResult.Fail();
        }
        finally
        {
            frame.Output = [];
            frame.Memory.Reset();
            frame.Code = CodeInfo.Empty;
            frame.ReturnData = [];
            frame.Msg.Input = default;
        }
    }

    /// <summary>One call frame's context, pooled per depth. The interpreter loop keeps just this object, the stack and
    /// code references and pc/sp/gas live, which leaves registers for the hot ones.</summary>
    internal sealed class Frame(Evm evm)
    {
        public readonly Evm Evm = evm;
        public readonly UInt256[] Stack = new UInt256[StackLimit];
        public readonly EvmMemory Memory = new();
        public Message Msg;
        public CodeInfo Code = CodeInfo.Empty;
        /// <summary>The code's basic blocks, indexed by code position.</summary>
        public BlockInfo[] Blocks = [];
        /// <summary>RETURNDATA of the last call this frame made.</summary>
        public byte[] ReturnData = [];
        /// <summary>Gas left and output when the frame stops, returns or reverts.</summary>
        public long GasLeft;
        public byte[] Output = [];
        /// <summary>Why the frame failed, for tracers; set only on failure paths (None there means out of gas).</summary>
        public HaltReason Halt;
        public int HaltA, HaltB;
    }

    /// <summary>Why a frame failed, when it was not simply out of gas (geth's error for the call tracer).</summary>
    internal enum HaltReason : byte { None, StackUnderflow, StackOverflow, InvalidJump, InvalidOpcode, WriteProtection, ReturnDataOutOfBounds }

    /// <summary>geth's error text for a failed frame.</summary>
    private static string HaltError(HaltReason reason, int a, int b) => reason switch
    {
        HaltReason.StackUnderflow => $"stack underflow ({a} <=> {b})",
        HaltReason.StackOverflow => $"stack limit reached {a} ({b})",
        HaltReason.InvalidJump => "invalid jump destination",
        HaltReason.InvalidOpcode => a == 0xfe ? "invalid opcode: INVALID" : $"invalid opcode: opcode 0x{a:x} not defined",
        HaltReason.WriteProtection => "write protection",
        HaltReason.ReturnDataOutOfBounds => "return data out of bounds",
        _ => Tracing.CallTracer.ErrOutOfGas,
    };

    // Failure paths of the interpreter loop call these out of line, so the loop's hot code does not change.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static EvmStatus Halted(Frame f, HaltReason reason, int a = 0)
    {
        f.Halt = reason;
        f.HaltA = a;
        return EvmStatus.Failure;
    }

    /// <summary>
    /// A basic block's entry check failed (gas or stack for the whole block): replays the block's opcodes one by one
    /// from the entry state, as geth executes them, to say which check fails first (stack before constant gas).
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static EvmStatus BlockEntryFailed(Frame f, nint pc, nint sp, long gas)
    {
        // A jump onto a JUMPDEST byte inside PUSH data lands where no block starts.
        if (f.Blocks[pc].MinStack == BlockInfo.NotAStart.MinStack) return Halted(f, HaltReason.InvalidJump);
        var code = f.Code.Code;
        for (int at = (int)pc, depth = (int)sp; at < code.Length; )
        {
            byte op = code[at];
            int stackIn = OpcodeTable.StackIn[op];
            if (depth < stackIn) { f.Halt = HaltReason.StackUnderflow; f.HaltA = depth; f.HaltB = stackIn; break; }
            int growth = OpcodeTable.StackGrowth[op];
            // geth's limit for an opcode: 1024 + pops - pushes.
            if (depth + growth > StackLimit) { f.Halt = HaltReason.StackOverflow; f.HaltA = depth; f.HaltB = StackLimit - growth; break; }
            gas -= OpcodeTable.BaseGas[op];
            if (gas < 0) break; // out of gas
            depth += growth;
            at += op is >= 0x60 and <= 0x7f ? op - 0x5e : 1;
            if (OpcodeTable.EndsBlock[op] || (at < code.Length && code[at] == 0x5b)) break;
        }
        return EvmStatus.Failure;
    }

    // Left to tiered compilation on purpose: AggressiveOptimization skips dynamic PGO and made long loops 25% slower
    // (vmPerformance/loopMul 8.9 s -> 11.1 s); warm up before measuring short runs.
    // The loop keeps only cheap opcodes inline; the rest run in Slow so that this method's frame stays small and
    // pc, sp and gas stay in registers (gas is never passed by reference here). It returns a bare status (gas left and
    // output go to the frame): a struct result would take a hidden return-buffer register for the whole loop.
    // TMode.Stepped, a constant per instantiation, selects the struct logger's opcode-by-opcode loop; the untraced
    // instantiation compiles without any of it.
    private static EvmStatus Interpret<TMode>(Frame f) where TMode : struct, IStepMode
    {
        ref UInt256 st = ref MemoryMarshal.GetArrayDataReference(f.Stack);
        // Padded code: PUSH data past the end reads zeros and pc never passes Length + 33 (see CodeInfo).
        ref byte code = ref MemoryMarshal.GetArrayDataReference(TMode.Stepped ? f.Code.Unfused : f.Code.Padded);
        long gas = f.Msg.Gas;
        // Native-sized so that stack and code addressing needs no sign extension.
        nint sp = 0;
        nint pc = 0;

        while (true)
        {
            // Entering a basic block at pc: its constant gas and stack bounds are checked once for all its opcodes
            // (see BlockInfo). One unsigned range check covers underflow and overflow. A leading JUMPDEST is charged
            // with its block and skipped.
            ref readonly var block = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(f.Blocks), pc);
            if (TMode.Stepped)
            {
                // Each opcode is checked and charged on its own (StepTraced); only a jump into PUSH data fails here.
                if (block.MinStack == BlockInfo.NotAStart.MinStack) return Halted(f, HaltReason.InvalidJump);
            }
            else
            {
                gas -= block.Gas;
                if (gas < 0 || (uint)(sp - block.MinStack) > (uint)block.StackRange) return BlockEntryFailed(f, pc, sp, gas + block.Gas);
                if (Unsafe.Add(ref code, pc) == 0x5b) pc++;
            }

            while (true)
            {
                byte op = Unsafe.Add(ref code, pc);
                if (TMode.Stepped)
                {
                    gas = f.Evm.StepTraced(f, op, pc, sp, gas);
                    if (gas < 0) return EvmStatus.Failure;
                }
                switch (op)
                {
                    case 0x00: // STOP
                        f.GasLeft = gas;
                        return EvmStatus.Success;
                    case 0x01: { ref var b = ref Unsafe.Add(ref st, sp - 2); b = UInt256.Add(Unsafe.Add(ref st, sp - 1), b); sp--; break; }
                    case 0x02: { ref var b = ref Unsafe.Add(ref st, sp - 2); b = UInt256.Multiply(Unsafe.Add(ref st, sp - 1), b); sp--; break; }
                    case 0x03: { ref var b = ref Unsafe.Add(ref st, sp - 2); b = UInt256.Subtract(Unsafe.Add(ref st, sp - 1), b); sp--; break; }
                    case 0x04: { ref var b = ref Unsafe.Add(ref st, sp - 2); b = UInt256.Divide(Unsafe.Add(ref st, sp - 1), b); sp--; break; }
                    case 0x05: { ref var b = ref Unsafe.Add(ref st, sp - 2); b = UInt256.SignedDivide(Unsafe.Add(ref st, sp - 1), b); sp--; break; }
                    case 0x06: { ref var b = ref Unsafe.Add(ref st, sp - 2); b = UInt256.Modulo(Unsafe.Add(ref st, sp - 1), b); sp--; break; }
                    case 0x07: { ref var b = ref Unsafe.Add(ref st, sp - 2); b = UInt256.SignedModulo(Unsafe.Add(ref st, sp - 1), b); sp--; break; }
                    case 0x08: { ref var c = ref Unsafe.Add(ref st, sp - 3); c = UInt256.AddMod(Unsafe.Add(ref st, sp - 1), Unsafe.Add(ref st, sp - 2), c); sp -= 2; break; }
                    case 0x09: { ref var c = ref Unsafe.Add(ref st, sp - 3); c = UInt256.MulMod(Unsafe.Add(ref st, sp - 1), Unsafe.Add(ref st, sp - 2), c); sp -= 2; break; }
                    case 0x0a: // EXP: 50 gas per byte of exponent
                        {
                            ref var e = ref Unsafe.Add(ref st, sp - 2);
                            gas -= 50L * ((e.BitLength + 7) / 8);
                            if (gas < 0) return EvmStatus.Failure;
                            e = UInt256.Exp(Unsafe.Add(ref st, sp - 1), e);
                            sp--;
                            break;
                        }
                    case 0x0b: { ref var b = ref Unsafe.Add(ref st, sp - 2); b = UInt256.SignExtend(Unsafe.Add(ref st, sp - 1), b); sp--; break; }
                    case 0x10: { ref var b = ref Unsafe.Add(ref st, sp - 2); b = UInt256.LessThan(Unsafe.Add(ref st, sp - 1), b) ? UInt256.One : default; sp--; break; }
                    case 0x11: { ref var b = ref Unsafe.Add(ref st, sp - 2); b = UInt256.LessThan(b, Unsafe.Add(ref st, sp - 1)) ? UInt256.One : default; sp--; break; }
                    case 0x12: { ref var b = ref Unsafe.Add(ref st, sp - 2); b = UInt256.SignedLessThan(Unsafe.Add(ref st, sp - 1), b) ? UInt256.One : default; sp--; break; }
                    case 0x13: { ref var b = ref Unsafe.Add(ref st, sp - 2); b = UInt256.SignedLessThan(b, Unsafe.Add(ref st, sp - 1)) ? UInt256.One : default; sp--; break; }
                    case 0x14: { ref var b = ref Unsafe.Add(ref st, sp - 2); b = Unsafe.Add(ref st, sp - 1).Equals(b) ? UInt256.One : default; sp--; break; }
                    case 0x15: { ref var a = ref Unsafe.Add(ref st, sp - 1); a = a.IsZero ? UInt256.One : default; break; }
                    case 0x16: { ref var b = ref Unsafe.Add(ref st, sp - 2); b = UInt256.And(Unsafe.Add(ref st, sp - 1), b); sp--; break; }
                    case 0x17: { ref var b = ref Unsafe.Add(ref st, sp - 2); b = UInt256.Or(Unsafe.Add(ref st, sp - 1), b); sp--; break; }
                    case 0x18: { ref var b = ref Unsafe.Add(ref st, sp - 2); b = UInt256.Xor(Unsafe.Add(ref st, sp - 1), b); sp--; break; }
                    case 0x19: { ref var a = ref Unsafe.Add(ref st, sp - 1); a = UInt256.Not(a); break; }
                    case 0x1a: { ref var b = ref Unsafe.Add(ref st, sp - 2); b = UInt256.Byte(Unsafe.Add(ref st, sp - 1), b); sp--; break; }
                    case 0x1b: // SHL
                        {
                            ref var shift = ref Unsafe.Add(ref st, sp - 1);
                            ref var v = ref Unsafe.Add(ref st, sp - 2);
                            v = shift.FitsInUlong && shift.U0 < 256 ? UInt256.ShiftLeft(v, (int)shift.U0) : default;
                            sp--;
                            break;
                        }
                    case 0x1c: // SHR
                        {
                            ref var shift = ref Unsafe.Add(ref st, sp - 1);
                            ref var v = ref Unsafe.Add(ref st, sp - 2);
                            v = shift.FitsInUlong && shift.U0 < 256 ? UInt256.ShiftRight(v, (int)shift.U0) : default;
                            sp--;
                            break;
                        }
                    case 0x1d: { ref var b = ref Unsafe.Add(ref st, sp - 2); b = UInt256.ShiftRightArithmetic(b, Unsafe.Add(ref st, sp - 1)); sp--; break; }
                    case 0x50: sp--; break;
                    case 0x51: // MLOAD
                        {
                            ref var a = ref Unsafe.Add(ref st, sp - 1);
                            if (!InMemory(f.Memory, a, 32))
                            {
                                gas = ExpandGas(f.Memory, gas, a, 32);
                                if (gas < 0) return EvmStatus.Failure;
                            }
                            a = UInt256.ReadBigEndian(ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(f.Memory.Buffer), (nint)a.U0));
                            break;
                        }
                    case 0x52: // MSTORE
                        {
                            ref var offset = ref Unsafe.Add(ref st, sp - 1);
                            if (!InMemory(f.Memory, offset, 32))
                            {
                                gas = ExpandGas(f.Memory, gas, offset, 32);
                                if (gas < 0) return EvmStatus.Failure;
                            }
                            Unsafe.Add(ref st, sp - 2).WriteBigEndian(ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(f.Memory.Buffer), (nint)offset.U0));
                            sp -= 2;
                            break;
                        }
                    case 0x53: // MSTORE8
                        {
                            ref var offset = ref Unsafe.Add(ref st, sp - 1);
                            if (!InMemory(f.Memory, offset, 1))
                            {
                                gas = ExpandGas(f.Memory, gas, offset, 1);
                                if (gas < 0) return EvmStatus.Failure;
                            }
                            f.Memory.Buffer[(int)offset.U0] = (byte)Unsafe.Add(ref st, sp - 2).U0;
                            sp -= 2;
                            break;
                        }
                    case 0x56: // JUMP
                        {
                            ref var dest = ref Unsafe.Add(ref st, sp - 1);
                            sp--;
                            // A JUMPDEST byte inside PUSH data is no block start, so the block check fails there.
                            if (!dest.FitsInUlong || dest.U0 >= (ulong)f.Blocks.Length || Unsafe.Add(ref code, (nint)dest.U0) != 0x5b)
                                return Halted(f, HaltReason.InvalidJump);
                            pc = (nint)dest.U0;
                            goto NextBlock;
                        }
                    case 0x57: // JUMPI
                        {
                            ref var dest = ref Unsafe.Add(ref st, sp - 1);
                            bool jump = !Unsafe.Add(ref st, sp - 2).IsZero;
                            sp -= 2;
                            if (jump)
                            {
                                if (!dest.FitsInUlong || dest.U0 >= (ulong)f.Blocks.Length || Unsafe.Add(ref code, (nint)dest.U0) != 0x5b)
                                    return Halted(f, HaltReason.InvalidJump);
                                pc = (nint)dest.U0;
                                goto NextBlock;
                            }
                            pc++;
                            goto NextBlock;
                        }
                    case 0x58: Unsafe.Add(ref st, sp++) = new UInt256((ulong)pc); break;
                    case 0x59: Unsafe.Add(ref st, sp++) = new UInt256((ulong)f.Memory.Size); break;
                    case 0x5a: // GAS: the last opcode of its block, so every opcode before it has been charged
                        Unsafe.Add(ref st, sp++) = new UInt256((ulong)gas);
                        pc++;
                        goto NextBlock;
                    case 0x5b: // JUMPDEST reached without a jump: it starts a block (stepping has charged it already)
                        if (TMode.Stepped) break;
                        goto NextBlock;
                    case 0x5f: Unsafe.Add(ref st, sp++) = default; break;
                    case 0x60:
                        Unsafe.Add(ref st, sp++) = new UInt256(Unsafe.Add(ref code, pc + 1));
                        pc += 2;
                        continue;
                    case 0x61:
                        Unsafe.Add(ref st, sp++) = new UInt256((ulong)((Unsafe.Add(ref code, pc + 1) << 8) | Unsafe.Add(ref code, pc + 2)));
                        pc += 3;
                        continue;
                    // PUSH3..PUSH32 (listed one by one so the switch compiles to a single jump table)
                    case 0x62: case 0x63: case 0x64: case 0x65: case 0x66: case 0x67: case 0x68: case 0x69:
                    case 0x6a: case 0x6b: case 0x6c: case 0x6d: case 0x6e: case 0x6f: case 0x70: case 0x71:
                    case 0x72: case 0x73: case 0x74: case 0x75: case 0x76: case 0x77: case 0x78: case 0x79:
                    case 0x7a: case 0x7b: case 0x7c: case 0x7d: case 0x7e: case 0x7f:
                        {
                            int n = op - 0x5f;
                            Unsafe.Add(ref st, sp++) = ReadPush(ref Unsafe.Add(ref code, pc + 1), n);
                            pc += n + 1;
                            continue;
                        }
                    // DUP1..DUP16 (listed one by one so the switch compiles to a single jump table)
                    case 0x80: case 0x81: case 0x82: case 0x83: case 0x84: case 0x85: case 0x86: case 0x87:
                    case 0x88: case 0x89: case 0x8a: case 0x8b: case 0x8c: case 0x8d: case 0x8e: case 0x8f:
                        {
                            int n = op - 0x7f;
                            Unsafe.Add(ref st, sp) = Unsafe.Add(ref st, sp - n);
                            sp++;
                            break;
                        }
                    // SWAP1..SWAP16 (listed one by one so the switch compiles to a single jump table)
                    case 0x90: case 0x91: case 0x92: case 0x93: case 0x94: case 0x95: case 0x96: case 0x97:
                    case 0x98: case 0x99: case 0x9a: case 0x9b: case 0x9c: case 0x9d: case 0x9e: case 0x9f:
                        {
                            int n = op - 0x8f;
                            // Through two vector registers: a tuple swap went through two stack temporaries.
                            ref var top = ref Unsafe.As<UInt256, Vector256<ulong>>(ref Unsafe.Add(ref st, sp - 1));
                            ref var other = ref Unsafe.As<UInt256, Vector256<ulong>>(ref Unsafe.Add(ref st, sp - 1 - n));
                            var t = top;
                            top = other;
                            other = t;
                            break;
                        }
                    // PUSH1/PUSH2 + JUMP/JUMPI fused by CodeInfo: both opcodes are in this block, already charged and
                    // stack-checked; the pushed target is consumed at once, so it never touches the stack.
                    case OpcodeTable.Push1Jump:
                        pc = Unsafe.Add(ref code, pc + 1);
                        if (pc >= f.Blocks.Length || Unsafe.Add(ref code, pc) != 0x5b) return Halted(f, HaltReason.InvalidJump);
                        goto NextBlock;
                    case OpcodeTable.Push2Jump:
                        pc = (Unsafe.Add(ref code, pc + 1) << 8) | Unsafe.Add(ref code, pc + 2);
                        if (pc >= f.Blocks.Length || Unsafe.Add(ref code, pc) != 0x5b) return Halted(f, HaltReason.InvalidJump);
                        goto NextBlock;
                    case OpcodeTable.Push1Jumpi:
                        sp--;
                        if (Unsafe.Add(ref st, sp).IsZero) { pc += 3; goto NextBlock; }
                        pc = Unsafe.Add(ref code, pc + 1);
                        if (pc >= f.Blocks.Length || Unsafe.Add(ref code, pc) != 0x5b) return Halted(f, HaltReason.InvalidJump);
                        goto NextBlock;
                    case OpcodeTable.Push2Jumpi:
                        sp--;
                        if (Unsafe.Add(ref st, sp).IsZero) { pc += 4; goto NextBlock; }
                        pc = (Unsafe.Add(ref code, pc + 1) << 8) | Unsafe.Add(ref code, pc + 2);
                        if (pc >= f.Blocks.Length || Unsafe.Add(ref code, pc) != 0x5b) return Halted(f, HaltReason.InvalidJump);
                        goto NextBlock;
                    case OpcodeTable.IsZeroPush2Jumpi:
                        sp--;
                        if (!Unsafe.Add(ref st, sp).IsZero) { pc += 5; goto NextBlock; }
                        pc = (Unsafe.Add(ref code, pc + 2) << 8) | Unsafe.Add(ref code, pc + 3);
                        if (pc >= f.Blocks.Length || Unsafe.Add(ref code, pc) != 0x5b) return Halted(f, HaltReason.InvalidJump);
                        goto NextBlock;
                    case OpcodeTable.PopPop:
                        sp -= 2;
                        pc += 2;
                        continue;
                    case OpcodeTable.PopJump:
                        {
                            ref var dest = ref Unsafe.Add(ref st, sp - 2);
                            sp -= 2;
                            if (!dest.FitsInUlong || dest.U0 >= (ulong)f.Blocks.Length || Unsafe.Add(ref code, (nint)dest.U0) != 0x5b)
                                return Halted(f, HaltReason.InvalidJump);
                            pc = (nint)dest.U0;
                            goto NextBlock;
                        }
                    // SWAPn, POP: the top replaces the n-th item below it.
                    case 0xc0: case 0xc1: case 0xc2: case 0xc3: case 0xc4: case 0xc5: case 0xc6: case 0xc7:
                    case 0xc8: case 0xc9: case 0xca: case 0xcb: case 0xcc: case 0xcd: case 0xce: case 0xcf:
                        Unsafe.As<UInt256, Vector256<ulong>>(ref Unsafe.Add(ref st, sp - 2 - (op - OpcodeTable.Swap1Pop))) =
                            Unsafe.As<UInt256, Vector256<ulong>>(ref Unsafe.Add(ref st, sp - 1));
                        sp--;
                        pc += 2;
                        continue;
                    // DUPn DUPm and SWAPn SWAPm for n, m in 1..4: (n - 1) * 4 + (m - 1) above the base.
                    case 0xd0: case 0xd1: case 0xd2: case 0xd3: case 0xd4: case 0xd5: case 0xd6: case 0xd7:
                    case 0xd8: case 0xd9: case 0xda: case 0xdb: case 0xdc: case 0xdd: case 0xde: case 0xdf:
                        {
                            int k = op - OpcodeTable.DupDup;
                            Unsafe.Add(ref st, sp) = Unsafe.Add(ref st, sp - 1 - (k >> 2));
                            Unsafe.Add(ref st, sp + 1) = Unsafe.Add(ref st, sp - (k & 3));
                            sp += 2;
                            pc += 2;
                            continue;
                        }
                    case 0xe0: case 0xe1: case 0xe2: case 0xe3: case 0xe4: case 0xe5: case 0xe6: case 0xe7:
                    case 0xe8: case 0xe9: case 0xea: case 0xeb: case 0xec: case 0xed: case 0xee: case 0xef:
                        {
                            int k = op - OpcodeTable.SwapSwap;
                            ref var top = ref Unsafe.As<UInt256, Vector256<ulong>>(ref Unsafe.Add(ref st, sp - 1));
                            ref var first = ref Unsafe.As<UInt256, Vector256<ulong>>(ref Unsafe.Add(ref st, sp - 2 - (k >> 2)));
                            ref var second = ref Unsafe.As<UInt256, Vector256<ulong>>(ref Unsafe.Add(ref st, sp - 2 - (k & 3)));
                            var t = top;
                            top = first;
                            first = t;
                            t = top;
                            top = second;
                            second = t;
                            pc += 2;
                            continue;
                        }
                    case 0xf3: // RETURN
                    case 0xfd: // REVERT
                        return ReturnOrRevert(op, ref st, (int)sp, gas, f);
                    case 0xff: // SELFDESTRUCT (EIP-6780)
                        return f.Evm.SelfDestruct(ref st, (int)sp, gas, f);
                    // INVALID, and every undefined byte (the padded code shows them as INVALID): the original byte names it.
                    case 0xfe:
                        return Halted(f, HaltReason.InvalidOpcode, f.Code.Code[pc]);
                    // Every other byte value is listed so that the switch compiles to one dense 256-entry jump table
                    // (undefined opcodes end their block and fail in Slow).
                    case 0x0c: case 0x0d: case 0x0e: case 0x0f: case 0x1e: case 0x1f: case 0x20: case 0x21: case 0x22: case 0x23: case 0x24: case 0x25:
                    case 0x26: case 0x27: case 0x28: case 0x29: case 0x2a: case 0x2b: case 0x2c: case 0x2d: case 0x2e: case 0x2f: case 0x30: case 0x31:
                    case 0x32: case 0x33: case 0x34: case 0x35: case 0x36: case 0x37: case 0x38: case 0x39: case 0x3a: case 0x3b: case 0x3c: case 0x3d:
                    case 0x3e: case 0x3f: case 0x40: case 0x41: case 0x42: case 0x43: case 0x44: case 0x45: case 0x46: case 0x47: case 0x48: case 0x49:
                    case 0x4a: case 0x4b: case 0x4c: case 0x4d: case 0x4e: case 0x4f: case 0x54: case 0x5c: case 0x5d: case 0x5e: case 0xa0:
                    case 0xa1: case 0xa2: case 0xa3: case 0xa4: case 0xa5: case 0xa6: case 0xa7: case 0xa8: case 0xa9: case 0xaa: case 0xab: case 0xac:
                    case 0xad: case 0xae: case 0xaf: case 0xb7: case 0xb8: case 0xb9: case 0xba: case 0xbb: case 0xbc: case 0xbd: case 0xbe:
                    case 0xbf: case 0xf6: case 0xf7: case 0xf8: case 0xf9: case 0xfb: case 0xfc:
                    default:
                        gas = f.Evm.Slow(op, ref st, (int)sp, gas, f);
                        if (gas < 0) return EvmStatus.Failure;
                        sp += Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(OpcodeTable.StackGrowth), op);
                        break;
                    // SSTORE, CREATE, CALL and friends read the gas left, so they end their block (OpcodeTable.EndsBlock).
                    case 0x55: case 0xf0: case 0xf1: case 0xf2: case 0xf4: case 0xf5: case 0xfa:
                        gas = f.Evm.Slow(op, ref st, (int)sp, gas, f);
                        if (gas < 0) return EvmStatus.Failure;
                        sp += Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(OpcodeTable.StackGrowth), op);
                        pc++;
                        goto NextBlock;
                }
                pc++;
            }
        NextBlock:;
        }
    }

    /// <summary>The opcodes that touch state, calldata, logs or calls: returns the gas left, or -1 to fail the frame.
    /// The caller applies the opcode's stack growth.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private long Slow(byte op, ref UInt256 st, int sp, long gas, Frame f)
    {
        ref readonly Message msg = ref f.Msg;
        var codeInfo = f.Code;
        var memory = f.Memory;
        var state = _state;
        Address self = msg.Recipient;
        int codeLength = codeInfo.Length;
        ref byte[] returnData = ref f.ReturnData;
        switch (op)
        {
                case 0x20: // KECCAK256
                    {
                        ref var offset = ref Unsafe.Add(ref st, sp - 1);
                        ref var length = ref Unsafe.Add(ref st, sp - 2);
                        if (!Expand(memory, ref gas, offset, length)) return -1;
                        gas -= 6 * Words(length.U0);
                        if (gas < 0) return -1;
                        var data = length.IsZero ? ReadOnlySpan<byte>.Empty : memory.Span((long)offset.U0, (long)length.U0);
                        if (data.Length == 64)
                        {
                            length = _keccakCache.Hash64(data);
                        }
                        else
                        {
                            Keccak.Hash256(data, _scratch.AsSpan(0, 32));
                            length = new UInt256(_scratch.AsSpan(0, 32));
                        }
                        sp--;
                        break;
                    }
                case 0x30: Unsafe.Add(ref st, sp++) = FromAddress(self); break;
                case 0x31: // BALANCE
                    {
                        ref var a = ref Unsafe.Add(ref st, sp - 1);
                        var address = ToAddress(a);
                        gas -= state.WarmAccount(address) ? 2600 : 100;
                        if (gas < 0) return -1;
                        Prestate?.LookupAccount(state, address);
                        a = state.GetBalance(address);
                        break;
                    }
                case 0x32: Unsafe.Add(ref st, sp++) = FromAddress(Origin); break;
                case 0x33: Unsafe.Add(ref st, sp++) = FromAddress(msg.Caller); break;
                case 0x34: Unsafe.Add(ref st, sp++) = msg.Value; break;
                case 0x35: // CALLDATALOAD
                    {
                        ref var a = ref Unsafe.Add(ref st, sp - 1);
                        var word = _scratch.AsSpan(0, 32);
                        CopyPadded(msg.Input.Span, a, word);
                        a = new UInt256(word);
                        break;
                    }
                case 0x36: Unsafe.Add(ref st, sp++) = new UInt256((ulong)msg.Input.Length); break;
                case 0x37: // CALLDATACOPY
                case 0x39: // CODECOPY
                case 0x3e: // RETURNDATACOPY
                    {
                        var destOffset = Unsafe.Add(ref st, sp - 1);
                        var offset = Unsafe.Add(ref st, sp - 2);
                        var length = Unsafe.Add(ref st, sp - 3);
                        sp -= 3;
                        if (op == 0x3e)
                        {
                            var end = UInt256.AddWithCarry(offset, length, out bool overflow);
                            if (overflow || UInt256.LessThan(new UInt256((ulong)returnData.Length), end)) { f.Halt = HaltReason.ReturnDataOutOfBounds; return -1; }
                        }
                        if (!Expand(memory, ref gas, destOffset, length)) return -1;
                        gas -= 3 * Words(length.U0);
                        if (gas < 0) return -1;
                        if (length.IsZero) break;
                        var source = op switch
                        {
                            0x37 => msg.Input.Span,
                            0x39 => codeInfo.Code.AsSpan(),
                            _ => returnData.AsSpan(),
                        };
                        CopyPadded(source, offset, memory.Span((long)destOffset.U0, (long)length.U0));
                        break;
                    }
                case 0x38: Unsafe.Add(ref st, sp++) = new UInt256((ulong)codeLength); break;
                case 0x3a: Unsafe.Add(ref st, sp++) = GasPrice; break;
                case 0x3b: // EXTCODESIZE
                    {
                        ref var a = ref Unsafe.Add(ref st, sp - 1);
                        var address = ToAddress(a);
                        gas -= state.WarmAccount(address) ? 2600 : 100;
                        if (gas < 0) return -1;
                        Prestate?.LookupAccount(state, address);
                        a = new UInt256((ulong)state.GetCode(address).Length);
                        break;
                    }
                case 0x3c: // EXTCODECOPY
                    {
                        var address = ToAddress(Unsafe.Add(ref st, sp - 1));
                        var destOffset = Unsafe.Add(ref st, sp - 2);
                        var offset = Unsafe.Add(ref st, sp - 3);
                        var length = Unsafe.Add(ref st, sp - 4);
                        sp -= 4;
                        gas -= state.WarmAccount(address) ? 2600 : 100;
                        if (gas < 0 || !Expand(memory, ref gas, destOffset, length)) return -1;
                        gas -= 3 * Words(length.U0);
                        if (gas < 0) return -1;
                        Prestate?.LookupAccount(state, address);
                        if (length.IsZero) break;
                        CopyPadded(state.GetCode(address).Code, offset, memory.Span((long)destOffset.U0, (long)length.U0));
                        break;
                    }
                case 0x3d: Unsafe.Add(ref st, sp++) = new UInt256((ulong)returnData.Length); break;
                case 0x3f: // EXTCODEHASH
                    {
                        ref var a = ref Unsafe.Add(ref st, sp - 1);
                        var address = ToAddress(a);
                        gas -= state.WarmAccount(address) ? 2600 : 100;
                        if (gas < 0) return -1;
                        Prestate?.LookupAccount(state, address);
                        a = state.IsDead(address) ? default : FromHash(state.GetCodeHash(address));
                        break;
                    }
                case 0x40: // BLOCKHASH
                    {
                        ref var a = ref Unsafe.Add(ref st, sp - 1);
                        ulong current = _block.Number;
                        if (a.FitsInUlong && a.U0 < current && current - a.U0 <= 256 && _block.BlockHash is { } lookup)
                            a = FromHash(lookup(a.U0));
                        else
                            a = default;
                        break;
                    }
                case 0x41: Unsafe.Add(ref st, sp++) = FromAddress(_block.Coinbase); break;
                case 0x42: Unsafe.Add(ref st, sp++) = new UInt256(_block.Timestamp); break;
                case 0x43: Unsafe.Add(ref st, sp++) = new UInt256(_block.Number); break;
                case 0x44: Unsafe.Add(ref st, sp++) = _block.PrevRandao; break;
                case 0x45: Unsafe.Add(ref st, sp++) = new UInt256((ulong)_block.GasLimit); break;
                case 0x46: Unsafe.Add(ref st, sp++) = new UInt256(_block.ChainId); break;
                case 0x47: Unsafe.Add(ref st, sp++) = state.GetBalance(self); break;
                case 0x48: Unsafe.Add(ref st, sp++) = _block.BaseFee; break;
                case 0x49: // BLOBHASH
                    {
                        ref var a = ref Unsafe.Add(ref st, sp - 1);
                        a = a.FitsInUlong && a.U0 < (ulong)BlobHashes.Count ? FromHash(BlobHashes[(int)a.U0]) : default;
                        break;
                    }
                case 0x4a: Unsafe.Add(ref st, sp++) = _blobBaseFee; break;
                case 0x54: // SLOAD
                    {
                        ref var key = ref Unsafe.Add(ref st, sp - 1);
                        var loaded = state.LoadStorage(self, key, out bool cold);
                        gas -= cold ? 2100 : 100;
                        if (gas < 0) return -1;
                        Prestate?.LookupStorage(state, self, key);
                        key = loaded;
                        break;
                    }
                case 0x55: // SSTORE
                    {
                        if (msg.IsStatic) { f.Halt = HaltReason.WriteProtection; return -1; }
                        // EIP-2200: SSTORE needs more than the call stipend left.
                        if (gas <= 2300) return -1;
                        var key = Unsafe.Add(ref st, sp - 1);
                        var value = Unsafe.Add(ref st, sp - 2);
                        sp -= 2;
                        var current = state.LoadStorageForWrite(self, key, out var original, out bool cold);
                        Prestate?.LookupStorage(state, self, key);
                        if (cold) gas -= 2100;
                        if (current.Equals(value))
                        {
                            gas -= 100;
                        }
                        else
                        {
                            if (original.Equals(current))
                            {
                                if (original.IsZero) gas -= 20000;
                                else
                                {
                                    gas -= 2900;
                                    if (value.IsZero) state.AddRefund(4800);
                                }
                            }
                            else
                            {
                                gas -= 100;
                                if (!original.IsZero)
                                {
                                    if (current.IsZero) state.AddRefund(-4800);
                                    else if (value.IsZero) state.AddRefund(4800);
                                }
                                if (original.Equals(value))
                                    state.AddRefund(original.IsZero ? 20000 - 100 : 5000 - 2100 - 100);
                            }
                        }
                        if (gas < 0) return -1;
                        state.SetStorage(self, key, value);
                        break;
                    }
                case 0x5c: { ref var key = ref Unsafe.Add(ref st, sp - 1); key = state.GetTransient(self, key); break; }
                case 0x5d: // TSTORE
                    {
                        if (msg.IsStatic) { f.Halt = HaltReason.WriteProtection; return -1; }
                        state.SetTransient(self, Unsafe.Add(ref st, sp - 1), Unsafe.Add(ref st, sp - 2));
                        sp -= 2;
                        break;
                    }
                case 0x5e: // MCOPY
                    {
                        var dest = Unsafe.Add(ref st, sp - 1);
                        var src = Unsafe.Add(ref st, sp - 2);
                        var length = Unsafe.Add(ref st, sp - 3);
                        sp -= 3;
                        if (length.IsZero) break;
                        var far = UInt256.LessThan(dest, src) ? src : dest;
                        if (!Expand(memory, ref gas, far, length)) return -1;
                        gas -= 3 * Words(length.U0);
                        if (gas < 0) return -1;
                        memory.Span((long)src.U0, (long)length.U0).CopyTo(memory.Span((long)dest.U0, (long)length.U0));
                        break;
                    }
                // LOG0..LOG4 (listed one by one so the switch compiles to a single jump table)
                case 0xa0: case 0xa1: case 0xa2: case 0xa3: case 0xa4:
                    return LogOp(op, ref st, sp, gas, f);
                case 0xf0: // CREATE
                case 0xf5: // CREATE2
                    return CreateOp(op, ref st, sp, gas, f);
                case 0xf1: // CALL
                case 0xf2: // CALLCODE
                case 0xf4: // DELEGATECALL
                case 0xfa: // STATICCALL
                    return CallOp(op, ref st, sp, gas, f);
            default:
                f.Halt = HaltReason.InvalidOpcode;
                f.HaltA = op;
                return -1;
        }
        return gas;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private long CreateOp(byte op, ref UInt256 st, int sp, long gas, Frame f)
    {
        ref readonly Message msg = ref f.Msg;
        var memory = f.Memory;
        var state = _state;
        Address self = msg.Recipient;
        ref byte[] returnData = ref f.ReturnData;
        if (msg.IsStatic) { f.Halt = HaltReason.WriteProtection; return -1; }
        var value = Unsafe.Add(ref st, sp - 1);
        var offset = Unsafe.Add(ref st, sp - 2);
        var length = Unsafe.Add(ref st, sp - 3);
        var salt = op == 0xf5 ? Unsafe.Add(ref st, sp - 4) : default;
        sp -= op == 0xf5 ? 4 : 3;
        if (!Expand(memory, ref gas, offset, length)) return -1;
        if (length.U0 > MaxInitCodeSize) return -1; // EIP-3860
        long words = Words(length.U0);
        gas -= 2 * words + (op == 0xf5 ? 6 * words : 0);
        if (gas < 0) return -1;
        var initCode = length.IsZero ? [] : memory.Span((long)offset.U0, (long)length.U0).ToArray();
        returnData = [];
        var newAddress = op == 0xf0
            ? CreateAddress(self, state.GetNonce(self))
            : Create2Address(self, salt, initCode);
        if (Prestate is { } prestate)
        {
            prestate.LookupAccount(state, newAddress);
            prestate.Created(newAddress);
        }
        Steps?.CallCost(msg.Depth, gas, 0);
        long childGas = gas - gas / 64;
        gas -= childGas;
        var child = new Message
        {
            Caller = self,
            Value = value,
            Gas = childGas,
            Depth = msg.Depth + 1,
            Kind = (CallKind)op,
        };
        var result = Create(child, initCode, newAddress, bumpNonce: true);
        gas += result.GasLeft;
        if (result.Status == EvmStatus.Revert) returnData = result.Output;
        Unsafe.Add(ref st, sp++) = result.Status == EvmStatus.Success ? FromAddress(result.CreatedAddress) : default;
        return gas;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private long CallOp(byte op, ref UInt256 st, int sp, long gas, Frame f)
    {
        ref readonly Message msg = ref f.Msg;
        var memory = f.Memory;
        var state = _state;
        Address self = msg.Recipient;
        ref byte[] returnData = ref f.ReturnData;
        bool hasValue = op is 0xf1 or 0xf2;
        var requested = Unsafe.Add(ref st, sp - 1);
        var target = ToAddress(Unsafe.Add(ref st, sp - 2));
        int i = 2;
        var value = hasValue ? Unsafe.Add(ref st, sp - 1 - i++) : default;
        var inOffset = Unsafe.Add(ref st, sp - 1 - i++);
        var inLength = Unsafe.Add(ref st, sp - 1 - i++);
        var outOffset = Unsafe.Add(ref st, sp - 1 - i++);
        var outLength = Unsafe.Add(ref st, sp - 1 - i++);
        sp -= i;

        gas -= state.WarmAccount(target) ? 2600 : 100;
        if (gas < 0) return -1;
        if (!Expand(memory, ref gas, inOffset, inLength) || !Expand(memory, ref gas, outOffset, outLength))
            return -1;
        bool transfers = hasValue && !value.IsZero;
        if (transfers)
        {
            if (op == 0xf1 && msg.IsStatic) { f.Halt = HaltReason.WriteProtection; return -1; }
            gas -= 9000;
            if (op == 0xf1 && state.IsDead(target)) gas -= 25000;
        }
        if (gas < 0) return -1;
        Prestate?.LookupAccount(state, target);
        long available = gas - gas / 64;
        long childGas = requested.FitsInUlong && requested.U0 < (ulong)available ? (long)requested.U0 : available;
        Steps?.CallCost(msg.Depth, gas, childGas);
        gas -= childGas;
        if (transfers) childGas += 2300;

        var input = inLength.IsZero
            ? ReadOnlyMemory<byte>.Empty
            : new ReadOnlyMemory<byte>(memory.Buffer, (int)inOffset.U0, (int)inLength.U0);
        var child = new Message
        {
            Gas = childGas,
            Depth = msg.Depth + 1,
            Input = input,
            CodeAddress = target,
            Kind = (CallKind)op,
        };
        switch (op)
        {
            case 0xf1:
                child.Caller = self; child.Recipient = target; child.Value = value; child.IsStatic = msg.IsStatic;
                break;
            case 0xf2:
                child.Caller = self; child.Recipient = self; child.Value = value; child.IsStatic = msg.IsStatic;
                break;
            case 0xf4:
                child.Caller = msg.Caller; child.Recipient = self; child.Value = msg.Value; child.IsStatic = msg.IsStatic;
                break;
            default:
                child.Caller = self; child.Recipient = target; child.IsStatic = true;
                break;
        }
        CallResult result;
        if (op == 0xf2 && transfers)
        {
            // CALLCODE moves value to itself: only the balance check matters.
            result = child.Depth <= MaxDepth && UInt256.LessThan(state.GetBalance(self), value)
                ? new CallResult(EvmStatus.Revert, childGas, [])
                : Call(child, transfersValue: false);
        }
        else
        {
            result = Call(child, transfersValue: op == 0xf1);
        }
        gas += result.GasLeft;
        returnData = result.Output;
        if (!outLength.IsZero && result.Output.Length > 0)
        {
            int n = (int)Math.Min((ulong)result.Output.Length, outLength.U0);
            result.Output.AsSpan(0, n).CopyTo(memory.Span((long)outOffset.U0, n));
        }
        Unsafe.Add(ref st, sp++) = result.Status == EvmStatus.Success ? UInt256.One : default;
        return gas;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private long LogOp(byte op, ref UInt256 st, int sp, long gas, Frame f)
    {
        ref readonly Message msg = ref f.Msg;
        var memory = f.Memory;
        var state = _state;
        Address self = msg.Recipient;
        if (msg.IsStatic) { f.Halt = HaltReason.WriteProtection; return -1; }
        int topicCount = op - 0xa0;
        var offset = Unsafe.Add(ref st, sp - 1);
        var length = Unsafe.Add(ref st, sp - 2);
        if (!Expand(memory, ref gas, offset, length)) return -1;
        // A length this large cannot pass the memory check, so U0 is exact here.
        gas -= 8 * (long)length.U0;
        if (gas < 0) return -1;
        var topics = topicCount == 0 ? [] : new Hash32[topicCount];
        for (int i = 0; i < topicCount; i++) topics[i] = ToHash(Unsafe.Add(ref st, sp - 3 - i));
        sp -= 2 + topicCount;
        var data = length.IsZero ? [] : memory.Span((long)offset.U0, (long)length.U0).ToArray();
        state.AddLog(new LogEntry(self, topics, data));
        return gas;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static EvmStatus ReturnOrRevert(byte op, ref UInt256 st, int sp, long gas, Frame f)
    {
        var memory = f.Memory;
        var offset = Unsafe.Add(ref st, sp - 1);
        var length = Unsafe.Add(ref st, sp - 2);
        if (!Expand(memory, ref gas, offset, length)) return EvmStatus.Failure;
        f.Output = length.IsZero ? [] : memory.Span((long)offset.U0, (long)length.U0).ToArray();
        f.GasLeft = gas;
        return op == 0xf3 ? EvmStatus.Success : EvmStatus.Revert;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private EvmStatus SelfDestruct(ref UInt256 st, int sp, long gas, Frame f)
    {
        ref readonly Message msg = ref f.Msg;
        var state = _state;
        Address self = msg.Recipient;
        if (msg.IsStatic) { f.Halt = HaltReason.WriteProtection; return EvmStatus.Failure; }
        var beneficiary = ToAddress(Unsafe.Add(ref st, sp - 1));
        if (state.WarmAccount(beneficiary)) gas -= 2600;
        var balance = state.GetBalance(self);
        if (!balance.IsZero && state.IsDead(beneficiary)) gas -= 25000;
        if (gas < 0) return EvmStatus.Failure;
        Prestate?.LookupAccount(state, beneficiary);
        state.SubtractBalance(self, balance);
        state.AddBalance(beneficiary, balance);
        if (state.WasCreatedInTransaction(self))
        {
            // The balance is burnt when a new contract names itself as beneficiary.
            if (beneficiary == self) state.SubtractBalance(self, state.GetBalance(self));
            state.MarkDestructed(self);
        }
        Tracer?.SelfDestruct(self, beneficiary, balance, state);
        f.GasLeft = gas;
        return EvmStatus.Success;
    }
}
