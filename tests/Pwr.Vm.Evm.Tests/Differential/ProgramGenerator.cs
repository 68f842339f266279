using Pwr.Core;
using Pwr.Vm.Evm.Numerics;

namespace Pwr.Vm.Evm.Tests.Differential;

/// <summary>A generated test case: a caller contract A, a callee contract B, the transaction's calldata, value and gas.</summary>
internal sealed record DifferentialProgram(int Seed, byte[] CodeA, byte[] CodeB, byte[] Calldata, long GasLimit, ulong Value);

/// <summary>Generates random but valid bytecode: the generator models the stack depth so nothing underflows by
/// accident, jumps only go to JUMPDESTs it placed (forward, or bounded loops), and storage uses a fixed key set so
/// both engines' storage can be read back. Endings vary: STOP, RETURN, REVERT, INVALID, SELFDESTRUCT, running off
/// the end, out of gas (tight gas limits, memory blow-ups), and rare deliberate faults.</summary>
internal static class ProgramGenerator
{
    public static readonly Address ContractA = Address.Parse("0x000000000000000000000000000000000000c0a0");
    public static readonly Address ContractB = Address.Parse("0x000000000000000000000000000000000000c0b0");
    public const ulong BalanceA = 1_000_000_000_000_000_000;

    /// <summary>The only storage (and transient storage) keys programs touch; the test reads these back.</summary>
    public static readonly UInt256[] StorageKeys =
        [UInt256.Zero, UInt256.One, new(2), new(3), new(0xff), new(0, 0, 0, 1UL << 63), UInt256.MaxValue];

    // Values that exercise carries, signs, shifts and divisions by zero.
    private static readonly UInt256[] EdgeValues =
    [
        UInt256.Zero, UInt256.One, new(2), new(3), new(7), new(31), new(32), new(255), new(256), new(0x10000),
        UInt256.MaxValue, UInt256.MaxValue - UInt256.One, new(0, 0, 0, 1UL << 63), new(ulong.MaxValue, ulong.MaxValue, ulong.MaxValue, long.MaxValue),
        new(0, 0, 1), new(ulong.MaxValue), new(0, 1), new(ulong.MaxValue, ulong.MaxValue),
    ];

    private static readonly byte[] BinaryOps =
    [
        0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x0a, 0x0b, // ADD MUL SUB DIV SDIV MOD SMOD EXP SIGNEXTEND
        0x10, 0x11, 0x12, 0x13, 0x14,                         // LT GT SLT SGT EQ
        0x16, 0x17, 0x18, 0x1a, 0x1b, 0x1c, 0x1d,             // AND OR XOR BYTE SHL SHR SAR
    ];

    // Opcodes with no inputs and one output whose value both engines agree on in this set-up.
    private static readonly byte[] EnvOps =
    [
        0x30, 0x32, 0x33, 0x34, 0x36, 0x38, 0x3d, 0x46, 0x47, 0x58, 0x59, 0x5a, // ADDRESS ORIGIN CALLER CALLVALUE CALLDATASIZE
    ];                                                                           // CODESIZE RETURNDATASIZE CHAINID SELFBALANCE PC MSIZE GAS

    public static DifferentialProgram Generate(int seed)
    {
        var rng = new Random(seed);
        var codeB = new Builder(rng, isCaller: false).Build(rng.Next(1, 14));
        var codeA = new Builder(rng, isCaller: true).Build(rng.Next(3, 45));
        var calldata = new byte[rng.Next(0, 5) == 0 ? 0 : rng.Next(1, 100)];
        rng.NextBytes(calldata);
        for (int i = 0; i < calldata.Length; i++) if (rng.Next(3) == 0) calldata[i] = 0; // zero bytes cost less
        long intrinsic = 21000 + calldata.Sum(b => b == 0 ? 4L : 16L);
        // Mostly generous gas; one in eight programs gets a tight limit so it runs out part-way.
        long gasLimit = rng.Next(8) == 0 ? intrinsic + rng.Next(0, 30_000) : 3_000_000;
        ulong value = rng.Next(4) == 0 ? (ulong)rng.Next(1, 5000) : 0;
        return new DifferentialProgram(seed, codeA, codeB, calldata, gasLimit, value);
    }

    private sealed class Builder(Random rng, bool isCaller)
    {
        private readonly List<byte> _code = [];
        private readonly List<(int At, string Label)> _fixups = [];
        private readonly Dictionary<string, int> _labels = [];
        private int _depth;
        // Items below the floor belong to an enclosing construct (a loop counter): fragments must not touch them.
        private int _floor;
        private int _nextLabel;

        public byte[] Build(int fragments)
        {
            for (int i = 0; i < fragments; i++) Fragment(nesting: 0);
            Ending();
            foreach (var (at, label) in _fixups)
            {
                int target = _labels[label];
                _code[at] = (byte)(target >> 8);
                _code[at + 1] = (byte)target;
            }
            return [.. _code];
        }

        private void Op(byte op, int pops, int pushes)
        {
            EnsureDepth(pops);
            _code.Add(op);
            _depth += pushes - pops;
        }

        private void EnsureDepth(int n)
        {
            while (_depth - _floor < n) PushValue();
        }

        private UInt256 RandomValue() => rng.Next(4) switch
        {
            0 => new UInt256((ulong)rng.NextInt64()) ,
            1 => new UInt256((ulong)rng.NextInt64(), (ulong)rng.NextInt64(), (ulong)rng.NextInt64(), (ulong)rng.NextInt64()),
            _ => EdgeValues[rng.Next(EdgeValues.Length)],
        };

        private void PushValue() => Push(RandomValue());

        // PUSH0 for zero when the generator feels like it; otherwise PUSHn with n at least the value's width
        // (sometimes wider, so every PUSH1..PUSH32 shows up).
        private void Push(UInt256 value)
        {
            var bytes = value.ToBigEndian();
            int width = 32 - bytes.TakeWhile(b => b == 0).Count();
            if (width == 0 && rng.Next(2) == 0) { _code.Add(0x5f); _depth++; return; }
            int n = Math.Max(width, 1);
            if (rng.Next(4) == 0) n = rng.Next(n, 33);
            _code.Add((byte)(0x5f + n));
            _code.AddRange(bytes.AsSpan(32 - n).ToArray());
            _depth++;
        }

        private void PushSmall(int max) => Push(new UInt256((ulong)rng.Next(0, max + 1)));

        private void PushLabel(string label)
        {
            _code.Add(0x61); // PUSH2, patched once the label's position is known
            _fixups.Add((_code.Count, label));
            _code.Add(0); _code.Add(0);
            _depth++;
        }

        private string NewLabel() => $"L{_nextLabel++}";

        private void Mark(string label)
        {
            _labels[label] = _code.Count;
            _code.Add(0x5b); // JUMPDEST
        }

        private int MemoryOffset() => rng.Next(40) switch
        {
            0 => rng.Next(0, 0x20000),  // a large expansion (quadratic memory cost)
            < 6 => rng.Next(0, 4096),
            _ => rng.Next(0, 256),
        };

        private void Fragment(int nesting)
        {
            // Keep the stack shallow enough for DUP16/SWAP16 reach to matter but far from the 1024 limit.
            if (_depth > 24) { Op(0x50, 1, 0); return; }
            switch (rng.Next(isCaller ? 27 : 24))
            {
                case 0 or 1 or 2:
                    if (rng.Next(2) == 0) { PushValue(); PushValue(); }
                    Op(BinaryOps[rng.Next(BinaryOps.Length)], 2, 1);
                    break;
                case 3:
                    PushValue(); PushValue(); PushValue();
                    Op(rng.Next(2) == 0 ? (byte)0x08 : (byte)0x09, 3, 1); // ADDMOD MULMOD
                    break;
                case 4: Op(rng.Next(2) == 0 ? (byte)0x15 : (byte)0x19, 1, 1); break; // ISZERO NOT
                case 5: PushValue(); break;
                case 6: { int n = rng.Next(1, 17); EnsureDepth(n); Op((byte)(0x7f + n), n, n + 1); break; } // DUPn
                case 7: { int n = rng.Next(1, 17); EnsureDepth(n + 1); Op((byte)(0x8f + n), n + 1, n + 1); break; } // SWAPn
                case 8: if (_depth > _floor) Op(0x50, 1, 0); break; // POP
                case 9: EnsureDepth(1); Push(new UInt256((ulong)MemoryOffset())); Op(rng.Next(3) == 0 ? (byte)0x53 : (byte)0x52, 2, 0); break; // MSTORE8/MSTORE
                case 10: Push(new UInt256((ulong)MemoryOffset())); Op(0x51, 1, 0 + 1); break; // MLOAD
                case 11: PushSmall(96); Push(new UInt256((ulong)MemoryOffset())); Push(new UInt256((ulong)MemoryOffset())); Op(0x5e, 3, 0); break; // MCOPY
                case 12: EnsureDepth(1); PushKey(); Op(0x55, 2, 0); break; // SSTORE
                case 13: PushKey(); Op(0x54, 1, 1); break; // SLOAD
                case 14: EnsureDepth(1); PushKey(); Op(0x5d, 2, 0); break; // TSTORE
                case 15: PushKey(); Op(0x5c, 1, 1); break; // TLOAD
                case 16: PushSmall(100); Push(new UInt256((ulong)MemoryOffset())); Op(0x20, 2, 1); break; // KECCAK256
                case 17: Log(); break;
                case 18:
                    switch (rng.Next(3))
                    {
                        case 0: PushSmall(120); Op(0x35, 1, 1); break; // CALLDATALOAD
                        case 1: PushSmall(120); PushSmall(120); Push(new UInt256((ulong)MemoryOffset())); Op(0x37, 3, 0); break; // CALLDATACOPY
                        default: PushSmall(64); PushSmall(64); Push(new UInt256((ulong)MemoryOffset())); Op(0x39, 3, 0); break; // CODECOPY
                    }
                    break;
                case 19: Op(EnvOps[rng.Next(EnvOps.Length)], 0, 1); break;
                case 20: ForwardJump(nesting); break;
                case 21: if (nesting < 2) Loop(nesting); else PushValue(); break;
                case 22: ReturnDataCopy(); break;
                case 23: Op(0x58, 0, 1); break; // PC
                default: Call(); break; // caller only
            }
        }

        private void PushKey() => Push(StorageKeys[rng.Next(StorageKeys.Length)]);

        private void Log()
        {
            int topics = rng.Next(0, 5);
            for (int i = 0; i < topics; i++) PushValue();
            PushSmall(80);
            Push(new UInt256((ulong)MemoryOffset()));
            Op((byte)(0xa0 + topics), 2 + topics, 0);
        }

        // A self-contained piece with no net stack effect, safe to skip over or repeat in a loop.
        private void Balanced(int nesting)
        {
            int before = _depth, floor = _floor;
            _floor = before;
            int count = rng.Next(1, 4);
            for (int i = 0; i < count; i++) Fragment(nesting + 1);
            while (_depth > before) Op(0x50, 1, 0);
            _floor = floor;
        }

        private void ForwardJump(int nesting)
        {
            var label = NewLabel();
            if (rng.Next(2) == 0)
            {
                // JUMPI with a condition from an edge value (often zero, so both branches are taken).
                Push(rng.Next(2) == 0 ? UInt256.Zero : RandomValue());
                PushLabel(label);
                Op(0x57, 2, 0);
                Balanced(nesting);
            }
            else
            {
                PushLabel(label);
                Op(0x56, 1, 0);
                // Dead code that must not be executed (non-PUSH bytes so it cannot hide the JUMPDEST).
                int junk = rng.Next(0, 6);
                for (int i = 0; i < junk; i++) _code.Add((byte)rng.Next(0, 0x5f));
            }
            Mark(label);
        }

        private void Loop(int nesting)
        {
            // counter; L: JUMPDEST body; counter - 1; DUP1; PUSH2 L; JUMPI; POP
            var label = NewLabel();
            Push(new UInt256((ulong)rng.Next(1, 6)));
            Mark(label);
            Balanced(nesting + 1);
            _code.Add(0x60); _code.Add(1);   // PUSH1 1
            _code.Add(0x90);                 // SWAP1
            _code.Add(0x03);                 // SUB
            _code.Add(0x80);                 // DUP1
            _code.Add(0x61); _fixups.Add((_code.Count, label)); _code.Add(0); _code.Add(0); // PUSH2 L
            _code.Add(0x57);                 // JUMPI
            _code.Add(0x50);                 // POP
            _depth--;                         // the counter
        }

        private void ReturnDataCopy()
        {
            // Usually the whole return buffer; sometimes one byte past it, which must halt exceptionally.
            Op(0x3d, 0, 1); // RETURNDATASIZE
            if (rng.Next(10) == 0) { Push(UInt256.One); Op(0x01, 2, 1); }
            Push(UInt256.Zero);
            Push(new UInt256((ulong)MemoryOffset()));
            Op(0x3e, 3, 0);
        }

        private void Call()
        {
            int kind = rng.Next(4); // CALL, STATICCALL, DELEGATECALL, CALLCODE-free mix of targets
            PushSmall(64);                         // retLength
            PushSmall(128);                        // retOffset
            PushSmall(64);                         // argsLength
            PushSmall(64);                         // argsOffset
            if (kind <= 1) Push(rng.Next(3) == 0 ? new UInt256((ulong)rng.Next(0, 3000)) : UInt256.Zero); // value
            UInt256 target = rng.Next(10) switch
            {
                0 => new UInt256(0x04),             // identity precompile
                1 => new UInt256(0x02),             // sha256 precompile
                2 => new UInt256(0xdead),           // no account
                _ => new UInt256(0xc0b0),           // contract B
            };
            Push(target);
            // Gas: mostly a constant (a faulting callee then burns only that), sometimes all that is left (GAS).
            if (rng.Next(3) != 0) Push(new UInt256((ulong)rng.Next(0, 60_000))); else Op(0x5a, 0, 1);
            switch (kind)
            {
                case 0 or 1: Op(0xf1, 7, 1); break; // CALL
                case 2: Op(0xfa, 6, 1); break;      // STATICCALL
                default: Op(0xf4, 6, 1); break;     // DELEGATECALL
            }
        }

        private void Ending()
        {
            switch (rng.Next(9))
            {
                case 0: _code.Add(0x00); break; // STOP
                case 1 or 2: PushSmall(96); Push(new UInt256((ulong)rng.Next(0, 256))); Op(0xf3, 2, 0); break; // RETURN
                case 3: PushSmall(96); Push(new UInt256((ulong)rng.Next(0, 256))); Op(0xfd, 2, 0); break; // REVERT
                case 4: _code.Add(0xfe); break; // INVALID
                case 5: // SELFDESTRUCT to B, the sender or a fresh account
                    Push(rng.Next(3) switch { 0 => new UInt256(0xc0b0), 1 => new UInt256(0xa11ce), _ => new UInt256(0xbeef) });
                    Op(0xff, 1, 0);
                    break;
                case 6: // a deliberate fault: jump to a non-JUMPDEST or pop an empty stack
                    if (rng.Next(2) == 0) { Push(new UInt256(0)); Op(0x56, 1, 0); }
                    else { for (int i = _depth; i >= 0; i--) _code.Add(0x50); }
                    break;
                default: break; // run off the end (implicit STOP)
            }
        }
    }
}
