using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Pwr.Vm.Evm.Numerics;
using Pwr.Core;

namespace Pwr.Vm.Evm.Execution;

/// <summary>Contract code with its jump-destination bitmap, padded with zeros so PUSH never reads past the end.</summary>
public sealed class CodeInfo
{
    // 33 zero bytes after the code: a PUSH32 at the very end reads zeros and the next fetch is STOP.
    private const int Padding = 33;

    public static readonly CodeInfo Empty = new([], AccountState.EmptyCodeHash);

    private ulong[]? _jumpDests;

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
    public byte[] Padded { get; }
    public Hash32 CodeHash { get; }
    public int Length => Code.Length;

    /// <summary>One bit per code byte, set for JUMPDEST opcodes (not PUSH data); computed once per code.</summary>
    internal ulong[] JumpDestinations => _jumpDests ??= Analyze(Code);

    /// <summary>True when <paramref name="destination"/> is a JUMPDEST opcode (not PUSH data).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal bool IsJumpDestination(in UInt256 destination) => destination.FitsInUlong && IsJumpDestination(destination.U0);

    /// <summary>True when <paramref name="destination"/> is a JUMPDEST opcode (not PUSH data).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool IsJumpDestination(ulong destination)
    {
        if (destination >= (ulong)Code.Length) return false;
        // In range of the code, so in range of the bitmap (one bit per code byte): no second bounds check.
        var bits = JumpDestinations;
        return (Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(bits), (nint)(destination >> 6)) & (1UL << (int)destination)) != 0;
    }

    private static ulong[] Analyze(byte[] code)
    {
        var bits = new ulong[(code.Length >> 6) + 1];
        for (int pc = 0; pc < code.Length; pc++)
        {
            byte op = code[pc];
            if (op == 0x5b) bits[pc >> 6] |= 1UL << (pc & 63);
            else if (op >= 0x60 && op <= 0x7f) pc += op - 0x5f;
        }
        return bits;
    }
}
