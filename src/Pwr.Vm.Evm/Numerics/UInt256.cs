using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Pwr.Vm.Evm.Numerics;

/// <summary>An unsigned 256-bit integer as four 64-bit limbs (U0 least significant), with EVM wrapping arithmetic.</summary>
public readonly struct UInt256 : IEquatable<UInt256>, IComparable<UInt256>
{
    public readonly ulong U0, U1, U2, U3;

    public static readonly UInt256 Zero;
    public static readonly UInt256 One = new(1);
    public static readonly UInt256 MaxValue = new(ulong.MaxValue, ulong.MaxValue, ulong.MaxValue, ulong.MaxValue);

    public UInt256(ulong u0, ulong u1 = 0, ulong u2 = 0, ulong u3 = 0)
    {
        U0 = u0; U1 = u1; U2 = u2; U3 = u3;
    }

    /// <summary>Reads up to 32 big-endian bytes (shorter input is left-padded with zeros).</summary>
    public UInt256(ReadOnlySpan<byte> bigEndian)
    {
        if (bigEndian.Length == 32)
        {
            this = ReadBigEndian(ref MemoryMarshal.GetReference(bigEndian));
            return;
        }
        this = FromShortBigEndian(bigEndian);
    }

    private static UInt256 FromShortBigEndian(ReadOnlySpan<byte> bigEndian)
    {
        if (bigEndian.Length > 32) throw new ArgumentException("more than 32 bytes", nameof(bigEndian));
        Span<byte> padded = stackalloc byte[32];
        padded.Clear();
        bigEndian.CopyTo(padded[(32 - bigEndian.Length)..]);
        return ReadBigEndian(ref MemoryMarshal.GetReference(padded));
    }

    /// <summary>Reads 32 big-endian bytes at <paramref name="source"/>; the caller guarantees they exist.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static UInt256 ReadBigEndian(ref byte source) => new(
        BinaryPrimitives.ReverseEndianness(Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref source, 24))),
        BinaryPrimitives.ReverseEndianness(Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref source, 16))),
        BinaryPrimitives.ReverseEndianness(Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref source, 8))),
        BinaryPrimitives.ReverseEndianness(Unsafe.ReadUnaligned<ulong>(ref source)));

    /// <summary>Writes 32 big-endian bytes at <paramref name="destination"/>; the caller guarantees the room.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void WriteBigEndian(ref byte destination)
    {
        Unsafe.WriteUnaligned(ref destination, BinaryPrimitives.ReverseEndianness(U3));
        Unsafe.WriteUnaligned(ref Unsafe.Add(ref destination, 8), BinaryPrimitives.ReverseEndianness(U2));
        Unsafe.WriteUnaligned(ref Unsafe.Add(ref destination, 16), BinaryPrimitives.ReverseEndianness(U1));
        Unsafe.WriteUnaligned(ref Unsafe.Add(ref destination, 24), BinaryPrimitives.ReverseEndianness(U0));
    }

    public bool IsZero
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => (U0 | U1 | U2 | U3) == 0;
    }

    /// <summary>True when the value fits in 64 bits.</summary>
    public bool FitsInUlong
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => (U1 | U2 | U3) == 0;
    }

    public bool IsNegative => (long)U3 < 0;

    /// <summary>Number of significant bits (0 for zero).</summary>
    public int BitLength =>
        U3 != 0 ? 256 - BitOperations.LeadingZeroCount(U3)
        : U2 != 0 ? 192 - BitOperations.LeadingZeroCount(U2)
        : U1 != 0 ? 128 - BitOperations.LeadingZeroCount(U1)
        : 64 - BitOperations.LeadingZeroCount(U0);

    public void WriteBigEndian(Span<byte> destination)
    {
        if (destination.Length >= 32)
        {
            WriteBigEndian(ref MemoryMarshal.GetReference(destination));
            return;
        }
        BinaryPrimitives.WriteUInt64BigEndian(destination, U3);
        BinaryPrimitives.WriteUInt64BigEndian(destination[8..], U2);
        BinaryPrimitives.WriteUInt64BigEndian(destination[16..], U1);
        BinaryPrimitives.WriteUInt64BigEndian(destination[24..], U0);
    }

    public byte[] ToBigEndian()
    {
        var bytes = new byte[32];
        WriteBigEndian(bytes);
        return bytes;
    }

    /// <summary>Big-endian bytes without leading zeros (empty for zero), as RLP integers are written.</summary>
    public byte[] ToTrimmedBigEndian()
    {
        Span<byte> full = stackalloc byte[32];
        WriteBigEndian(full);
        int first = full.IndexOfAnyExcept((byte)0);
        return first < 0 ? [] : full[first..].ToArray();
    }

    /// <summary>The low 64 bits, or ulong.MaxValue when the value does not fit (saturating, for gas and offsets).</summary>
    public ulong ToUlongSaturating() => FitsInUlong ? U0 : ulong.MaxValue;

    public static UInt256 Parse(string text)
    {
        var s = text.AsSpan();
        if (s.StartsWith("0x") || s.StartsWith("0X"))
        {
            s = s[2..];
            if (s.Length > 64) throw new FormatException("hex value longer than 256 bits");
            ulong u0 = 0, u1 = 0, u2 = 0, u3 = 0;
            foreach (char c in s)
            {
                int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : throw new FormatException($"bad hex digit '{c}'");
                u3 = (u3 << 4) | (u2 >> 60);
                u2 = (u2 << 4) | (u1 >> 60);
                u1 = (u1 << 4) | (u0 >> 60);
                u0 = (u0 << 4) | (uint)d;
            }
            return new UInt256(u0, u1, u2, u3);
        }
        var big = BigInteger.Parse(s, System.Globalization.CultureInfo.InvariantCulture);
        return FromBigInteger(big);
    }

    public static UInt256 FromBigInteger(BigInteger value)
    {
        if (value.Sign < 0 || value.GetBitLength() > 256) throw new OverflowException("value outside 0..2^256-1");
        Span<byte> bytes = stackalloc byte[32];
        bytes.Clear();
        value.TryWriteBytes(bytes, out int written, isUnsigned: true, isBigEndian: true);
        Span<byte> padded = stackalloc byte[32];
        padded.Clear();
        bytes[..written].CopyTo(padded[(32 - written)..]);
        return new UInt256(padded);
    }

    public BigInteger ToBigInteger()
    {
        Span<byte> bytes = stackalloc byte[32];
        WriteBigEndian(bytes);
        return new BigInteger(bytes, isUnsigned: true, isBigEndian: true);
    }

    public static implicit operator UInt256(ulong value) => new(value);

    public static explicit operator ulong(UInt256 value) => value.U0;

    // ---- comparisons ----

    public bool Equals(UInt256 other) => U0 == other.U0 && U1 == other.U1 && U2 == other.U2 && U3 == other.U3;
    public override bool Equals(object? obj) => obj is UInt256 other && Equals(other);
    public override int GetHashCode() => HashCode.Combine(U0, U1, U2, U3);

    public int CompareTo(UInt256 other)
    {
        if (U3 != other.U3) return U3 < other.U3 ? -1 : 1;
        if (U2 != other.U2) return U2 < other.U2 ? -1 : 1;
        if (U1 != other.U1) return U1 < other.U1 ? -1 : 1;
        if (U0 != other.U0) return U0 < other.U0 ? -1 : 1;
        return 0;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool LessThan(in UInt256 a, in UInt256 b)
    {
        if (a.U3 != b.U3) return a.U3 < b.U3;
        if (a.U2 != b.U2) return a.U2 < b.U2;
        if (a.U1 != b.U1) return a.U1 < b.U1;
        return a.U0 < b.U0;
    }

    /// <summary>Two's-complement signed comparison a &lt; b.</summary>
    public static bool SignedLessThan(in UInt256 a, in UInt256 b)
    {
        bool an = (long)a.U3 < 0, bn = (long)b.U3 < 0;
        if (an != bn) return an;
        return LessThan(a, b);
    }

    public static bool operator ==(UInt256 a, UInt256 b) => a.Equals(b);
    public static bool operator !=(UInt256 a, UInt256 b) => !a.Equals(b);
    public static bool operator <(UInt256 a, UInt256 b) => LessThan(a, b);
    public static bool operator >(UInt256 a, UInt256 b) => LessThan(b, a);
    public static bool operator <=(UInt256 a, UInt256 b) => !LessThan(b, a);
    public static bool operator >=(UInt256 a, UInt256 b) => !LessThan(a, b);

    // ---- arithmetic ----

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static UInt256 Add(in UInt256 a, in UInt256 b) => AddWithCarry(a, b, out _);

    /// <summary>a + b modulo 2^256; <paramref name="carry"/> is true when the true sum overflowed.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static UInt256 AddWithCarry(in UInt256 a, in UInt256 b, out bool carry)
    {
        ulong r0 = a.U0 + b.U0;
        ulong c = r0 < a.U0 ? 1UL : 0UL;
        ulong t1 = a.U1 + b.U1;
        ulong c1 = t1 < a.U1 ? 1UL : 0UL;
        ulong r1 = t1 + c;
        c1 |= r1 < t1 ? 1UL : 0UL;
        ulong t2 = a.U2 + b.U2;
        ulong c2 = t2 < a.U2 ? 1UL : 0UL;
        ulong r2 = t2 + c1;
        c2 |= r2 < t2 ? 1UL : 0UL;
        ulong t3 = a.U3 + b.U3;
        ulong c3 = t3 < a.U3 ? 1UL : 0UL;
        ulong r3 = t3 + c2;
        c3 |= r3 < t3 ? 1UL : 0UL;
        carry = c3 != 0;
        return new UInt256(r0, r1, r2, r3);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static UInt256 Subtract(in UInt256 a, in UInt256 b) => SubtractWithBorrow(a, b, out _);

    /// <summary>a - b modulo 2^256; <paramref name="borrow"/> is true when b &gt; a.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static UInt256 SubtractWithBorrow(in UInt256 a, in UInt256 b, out bool borrow)
    {
        ulong r0 = a.U0 - b.U0;
        ulong br = a.U0 < b.U0 ? 1UL : 0UL;
        ulong t1 = a.U1 - b.U1;
        ulong b1 = a.U1 < b.U1 ? 1UL : 0UL;
        ulong r1 = t1 - br;
        b1 |= t1 < br ? 1UL : 0UL;
        ulong t2 = a.U2 - b.U2;
        ulong b2 = a.U2 < b.U2 ? 1UL : 0UL;
        ulong r2 = t2 - b1;
        b2 |= t2 < b1 ? 1UL : 0UL;
        ulong t3 = a.U3 - b.U3;
        ulong b3 = a.U3 < b.U3 ? 1UL : 0UL;
        ulong r3 = t3 - b2;
        b3 |= t3 < b2 ? 1UL : 0UL;
        borrow = b3 != 0;
        return new UInt256(r0, r1, r2, r3);
    }

    public static UInt256 operator +(UInt256 a, UInt256 b) => Add(a, b);
    public static UInt256 operator -(UInt256 a, UInt256 b) => Subtract(a, b);
    public static UInt256 operator *(UInt256 a, UInt256 b) => Multiply(a, b);
    public static UInt256 operator /(UInt256 a, UInt256 b) => Divide(a, b);
    public static UInt256 operator %(UInt256 a, UInt256 b) => Modulo(a, b);

    /// <summary>a * b modulo 2^256 (schoolbook on 64-bit limbs, high half discarded).</summary>
    public static UInt256 Multiply(in UInt256 a, in UInt256 b)
    {
        if (((a.U1 | a.U2 | a.U3) | (b.U1 | b.U2 | b.U3)) == 0)
        {
            ulong hi = Math.BigMul(a.U0, b.U0, out ulong lo);
            return new UInt256(lo, hi);
        }
        ulong c, r0, r1, r2, r3;
        c = MulAdd(a.U0, b.U0, 0, 0, out r0);
        c = MulAdd(a.U0, b.U1, 0, c, out r1);
        c = MulAdd(a.U0, b.U2, 0, c, out r2);
        r3 = a.U0 * b.U3 + c;
        c = MulAdd(a.U1, b.U0, r1, 0, out r1);
        c = MulAdd(a.U1, b.U1, r2, c, out r2);
        r3 += a.U1 * b.U2 + c;
        c = MulAdd(a.U2, b.U0, r2, 0, out r2);
        r3 += a.U2 * b.U1 + c;
        r3 += a.U3 * b.U0;
        return new UInt256(r0, r1, r2, r3);
    }

    /// <summary>x * y + add + carry as a 128-bit value (cannot overflow); returns the high word.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong MulAdd(ulong x, ulong y, ulong add, ulong carry, out ulong low)
    {
        ulong hi = Math.BigMul(x, y, out ulong lo);
        ulong s = lo + add;
        hi += s < lo ? 1UL : 0UL;
        ulong t = s + carry;
        hi += t < s ? 1UL : 0UL;
        low = t;
        return hi;
    }

    /// <summary>Full 256x256 → 512-bit product as eight little-endian limbs.</summary>
    public static void MultiplyFull(in UInt256 a, in UInt256 b, Span<ulong> product8)
    {
        product8[..8].Clear();
        ReadOnlySpan<ulong> x = [a.U0, a.U1, a.U2, a.U3];
        ReadOnlySpan<ulong> y = [b.U0, b.U1, b.U2, b.U3];
        for (int i = 0; i < 4; i++)
        {
            ulong carry = 0;
            ulong xi = x[i];
            if (xi == 0) continue;
            for (int j = 0; j < 4; j++)
            {
                ulong hi = Math.BigMul(xi, y[j], out ulong lo);
                ulong s = product8[i + j] + lo;
                hi += s < lo ? 1UL : 0UL;
                s += carry;
                hi += s < carry ? 1UL : 0UL;
                product8[i + j] = s;
                carry = hi;
            }
            product8[i + 4] = carry;
        }
    }

    public static UInt256 Divide(in UInt256 a, in UInt256 b)
    {
        DivRem(a, b, out var q, out _);
        return q;
    }

    public static UInt256 Modulo(in UInt256 a, in UInt256 b)
    {
        DivRem(a, b, out _, out var r);
        return r;
    }

    /// <summary>Quotient and remainder; both are zero when b is zero (EVM semantics).</summary>
    public static void DivRem(in UInt256 a, in UInt256 b, out UInt256 quotient, out UInt256 remainder)
    {
        if (b.IsZero) { quotient = default; remainder = default; return; }
        if (LessThan(a, b)) { quotient = default; remainder = a; return; }
        if (a.FitsInUlong) { quotient = new UInt256(a.U0 / b.U0); remainder = new UInt256(a.U0 % b.U0); return; }
        if (b.FitsInUlong)
        {
            ulong d = b.U0;
            ulong r = 0;
            ulong q3 = DivStep(a.U3, ref r, d);
            ulong q2 = DivStep(a.U2, ref r, d);
            ulong q1 = DivStep(a.U1, ref r, d);
            ulong q0 = DivStep(a.U0, ref r, d);
            quotient = new UInt256(q0, q1, q2, q3);
            remainder = new UInt256(r);
            return;
        }
        if ((a.U2 | a.U3) == 0)
        {
            // Both fit in 128 bits (b is larger than a 64-bit value but at most a).
            UInt128 x = new(a.U1, a.U0), y = new(b.U1, b.U0);
            UInt128 q128 = x / y;
            UInt128 r128 = x - q128 * y;
            quotient = new UInt256((ulong)q128, (ulong)(q128 >> 64));
            remainder = new UInt256((ulong)r128, (ulong)(r128 >> 64));
            return;
        }
        if (BitOperations.PopCount(b.U0) + BitOperations.PopCount(b.U1) + BitOperations.PopCount(b.U2) + BitOperations.PopCount(b.U3) == 1)
        {
            // Division by a power of two (Solidity's selector extraction divides by 2^224) is a shift.
            quotient = ShiftRight(a, b.BitLength - 1);
            remainder = And(a, Subtract(b, One));
            return;
        }
        DivRemSlow(a, b, out quotient, out remainder);
    }

    [SkipLocalsInit] // every stackalloc below is fully written before it is read
    private static void DivRemSlow(in UInt256 a, in UInt256 b, out UInt256 quotient, out UInt256 remainder)
    {
        Span<ulong> u = [a.U0, a.U1, a.U2, a.U3];
        Span<ulong> q = stackalloc ulong[4];
        Span<ulong> rem = stackalloc ulong[4];
        KnuthDivide(u, [b.U0, b.U1, b.U2, b.U3], q, rem);
        quotient = new UInt256(q[0], q[1], q[2], q[3]);
        remainder = new UInt256(rem[0], rem[1], rem[2], rem[3]);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong DivStep(ulong word, ref ulong remainder, ulong divisor)
    {
        UInt128 n = ((UInt128)remainder << 64) | word;
        ulong q = (ulong)(n / divisor);
        remainder = (ulong)(n - (UInt128)q * divisor);
        return q;
    }

    /// <summary>Long division of <paramref name="dividend"/> (any number of limbs) by a divisor of up to 4 limbs (Knuth algorithm D on 32-bit digits).</summary>
    [SkipLocalsInit] // every stackalloc below is fully written before it is read
    internal static void KnuthDivide(ReadOnlySpan<ulong> dividend, ReadOnlySpan<ulong> divisor, Span<ulong> quotient, Span<ulong> remainder)
    {
        // Split into 32-bit digits so that every partial product fits a ulong.
        int m = dividend.Length * 2, nFull = divisor.Length * 2;
        Span<uint> un = stackalloc uint[m + 1];
        Span<uint> vn = stackalloc uint[nFull];
        Span<uint> uDigits = stackalloc uint[m];
        Span<uint> vDigits = stackalloc uint[nFull];
        for (int i = 0; i < dividend.Length; i++) { uDigits[2 * i] = (uint)dividend[i]; uDigits[2 * i + 1] = (uint)(dividend[i] >> 32); }
        for (int i = 0; i < divisor.Length; i++) { vDigits[2 * i] = (uint)divisor[i]; vDigits[2 * i + 1] = (uint)(divisor[i] >> 32); }
        int n = nFull;
        while (n > 0 && vDigits[n - 1] == 0) n--;
        int mm = m;
        while (mm > 0 && uDigits[mm - 1] == 0) mm--;
        quotient.Clear();
        remainder.Clear();
        if (n == 0) return;
        if (mm < n)
        {
            for (int i = 0; i < Math.Min(remainder.Length, dividend.Length); i++) remainder[i] = dividend[i];
            return;
        }
        Span<uint> qDigits = stackalloc uint[mm - n + 1];
        if (n == 1)
        {
            ulong d = vDigits[0], r = 0;
            for (int j = mm - 1; j >= 0; j--)
            {
                ulong cur = (r << 32) | uDigits[j];
                qDigits[j] = (uint)(cur / d);
                r = cur % d;
            }
            remainder[0] = r;
            WriteDigits(qDigits, quotient);
            return;
        }
        int s = BitOperations.LeadingZeroCount(vDigits[n - 1]);
        for (int i = n - 1; i > 0; i--) vn[i] = (uint)((vDigits[i] << s) | (s == 0 ? 0 : (ulong)vDigits[i - 1] >> (32 - s)));
        vn[0] = vDigits[0] << s;
        un[mm] = s == 0 ? 0 : (uint)((ulong)uDigits[mm - 1] >> (32 - s));
        for (int i = mm - 1; i > 0; i--) un[i] = (uint)((uDigits[i] << s) | (s == 0 ? 0 : (ulong)uDigits[i - 1] >> (32 - s)));
        un[0] = uDigits[0] << s;
        const ulong b = 1UL << 32;
        for (int j = mm - n; j >= 0; j--)
        {
            ulong num = ((ulong)un[j + n] << 32) | un[j + n - 1];
            ulong qhat = num / vn[n - 1];
            ulong rhat = num % vn[n - 1];
            while (qhat >= b || qhat * vn[n - 2] > ((rhat << 32) | un[j + n - 2]))
            {
                qhat--;
                rhat += vn[n - 1];
                if (rhat >= b) break;
            }
            long borrow = 0;
            ulong carry = 0;
            for (int i = 0; i < n; i++)
            {
                ulong p = qhat * vn[i] + carry;
                carry = p >> 32;
                long t = (long)un[i + j] - (long)(uint)p + borrow;
                un[i + j] = (uint)t;
                borrow = t >> 32;
            }
            long tt = (long)un[j + n] - (long)carry + borrow;
            un[j + n] = (uint)tt;
            if (tt < 0)
            {
                qhat--;
                ulong c = 0;
                for (int i = 0; i < n; i++)
                {
                    ulong sum = (ulong)un[i + j] + vn[i] + c;
                    un[i + j] = (uint)sum;
                    c = sum >> 32;
                }
                un[j + n] = (uint)(un[j + n] + c);
            }
            qDigits[j] = (uint)qhat;
        }
        Span<uint> rDigits = stackalloc uint[n];
        for (int i = 0; i < n; i++)
            rDigits[i] = (uint)((un[i] >> s) | (s == 0 ? 0 : (ulong)un[i + 1] << (32 - s)));
        WriteDigits(rDigits, remainder);
        WriteDigits(qDigits, quotient);
    }

    private static void WriteDigits(ReadOnlySpan<uint> digits, Span<ulong> limbs)
    {
        limbs.Clear();
        for (int i = 0; i < digits.Length; i++)
        {
            int limb = i / 2;
            if (limb >= limbs.Length) { if (digits[i] != 0) throw new InvalidOperationException("result does not fit"); continue; }
            limbs[limb] |= (ulong)digits[i] << (32 * (i % 2));
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static UInt256 Negate(in UInt256 a) => Subtract(default, a);

    public static UInt256 SignedDivide(in UInt256 a, in UInt256 b)
    {
        if (b.IsZero) return Zero;
        bool an = a.IsNegative, bn = b.IsNegative;
        if (!(an | bn)) return Divide(a, b);
        var ua = an ? Negate(a) : a;
        var ub = bn ? Negate(b) : b;
        var q = Divide(ua, ub);
        // MIN / -1 wraps to MIN, which the unsigned path already produces.
        return an != bn ? Negate(q) : q;
    }

    public static UInt256 SignedModulo(in UInt256 a, in UInt256 b)
    {
        if (b.IsZero) return Zero;
        bool an = a.IsNegative;
        if (!(an | b.IsNegative)) return Modulo(a, b);
        var ua = an ? Negate(a) : a;
        var ub = b.IsNegative ? Negate(b) : b;
        var r = Modulo(ua, ub);
        return an ? Negate(r) : r;
    }

    [SkipLocalsInit] // every stackalloc below is fully written before it is read
    public static UInt256 AddMod(in UInt256 a, in UInt256 b, in UInt256 m)
    {
        if (m.IsZero) return Zero;
        var sum = AddWithCarry(a, b, out bool carry);
        if (!carry) return Modulo(sum, m);
        Span<ulong> u = [sum.U0, sum.U1, sum.U2, sum.U3, 1];
        Span<ulong> q = stackalloc ulong[5];
        Span<ulong> r = stackalloc ulong[4];
        KnuthDivide(u, [m.U0, m.U1, m.U2, m.U3], q, r);
        return new UInt256(r[0], r[1], r[2], r[3]);
    }

    [SkipLocalsInit] // every stackalloc below is fully written before it is read
    public static UInt256 MulMod(in UInt256 a, in UInt256 b, in UInt256 m)
    {
        if (m.IsZero) return Zero;
        if (((a.U1 | a.U2 | a.U3) | (b.U1 | b.U2 | b.U3)) == 0)
        {
            ulong hi = Math.BigMul(a.U0, b.U0, out ulong lo);
            return Modulo(new UInt256(lo, hi), m);
        }
        Span<ulong> p = stackalloc ulong[8];
        MultiplyFull(a, b, p);
        Span<ulong> q = stackalloc ulong[8];
        Span<ulong> r = stackalloc ulong[4];
        KnuthDivide(p, [m.U0, m.U1, m.U2, m.U3], q, r);
        return new UInt256(r[0], r[1], r[2], r[3]);
    }

    public static UInt256 Exp(in UInt256 baseValue, in UInt256 exponent)
    {
        var result = One;
        var b = baseValue;
        int bits = exponent.BitLength;
        for (int i = 0; i < bits; i++)
        {
            if (exponent.Bit(i)) result = Multiply(result, b);
            if (i + 1 < bits) b = Multiply(b, b);
        }
        return result;
    }

    public bool Bit(int index) => index switch
    {
        < 64 => ((U0 >> index) & 1) != 0,
        < 128 => ((U1 >> (index - 64)) & 1) != 0,
        < 192 => ((U2 >> (index - 128)) & 1) != 0,
        _ => ((U3 >> (index - 192)) & 1) != 0,
    };

    /// <summary>SIGNEXTEND: extends the sign bit of byte <paramref name="byteIndex"/> (0 = least significant).</summary>
    public static UInt256 SignExtend(in UInt256 byteIndex, in UInt256 value)
    {
        if (!byteIndex.FitsInUlong || byteIndex.U0 >= 31) return value;
        int bit = (int)byteIndex.U0 * 8 + 7;
        bool negative = value.Bit(bit);
        var mask = ShiftLeft(One, bit + 1) - One; // bits 0..bit
        return negative ? Or(value, Not(mask)) : And(value, mask);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static UInt256 And(in UInt256 a, in UInt256 b) => new(a.U0 & b.U0, a.U1 & b.U1, a.U2 & b.U2, a.U3 & b.U3);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static UInt256 Or(in UInt256 a, in UInt256 b) => new(a.U0 | b.U0, a.U1 | b.U1, a.U2 | b.U2, a.U3 | b.U3);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static UInt256 Xor(in UInt256 a, in UInt256 b) => new(a.U0 ^ b.U0, a.U1 ^ b.U1, a.U2 ^ b.U2, a.U3 ^ b.U3);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static UInt256 Not(in UInt256 a) => new(~a.U0, ~a.U1, ~a.U2, ~a.U3);

    /// <summary>BYTE: the <paramref name="index"/>-th byte counting from the most significant (0..31), else 0.</summary>
    public static UInt256 Byte(in UInt256 index, in UInt256 value)
    {
        if (!index.FitsInUlong || index.U0 >= 32) return Zero;
        int i = 31 - (int)index.U0; // little-endian byte position
        ulong limb = (i >> 3) switch { 0 => value.U0, 1 => value.U1, 2 => value.U2, _ => value.U3 };
        return new UInt256((limb >> ((i & 7) * 8)) & 0xff);
    }

    public static UInt256 ShiftLeft(in UInt256 a, int shift)
    {
        if (shift >= 256) return Zero;
        ulong r0, r1, r2, r3;
        switch (shift >> 6)
        {
            case 0: r0 = a.U0; r1 = a.U1; r2 = a.U2; r3 = a.U3; break;
            case 1: r0 = 0; r1 = a.U0; r2 = a.U1; r3 = a.U2; break;
            case 2: r0 = 0; r1 = 0; r2 = a.U0; r3 = a.U1; break;
            default: r0 = 0; r1 = 0; r2 = 0; r3 = a.U0; break;
        }
        int bits = shift & 63;
        if (bits != 0)
        {
            r3 = (r3 << bits) | (r2 >> (64 - bits));
            r2 = (r2 << bits) | (r1 >> (64 - bits));
            r1 = (r1 << bits) | (r0 >> (64 - bits));
            r0 <<= bits;
        }
        return new UInt256(r0, r1, r2, r3);
    }

    public static UInt256 ShiftRight(in UInt256 a, int shift)
    {
        if (shift >= 256) return Zero;
        ulong r0, r1, r2, r3;
        switch (shift >> 6)
        {
            case 0: r0 = a.U0; r1 = a.U1; r2 = a.U2; r3 = a.U3; break;
            case 1: r0 = a.U1; r1 = a.U2; r2 = a.U3; r3 = 0; break;
            case 2: r0 = a.U2; r1 = a.U3; r2 = 0; r3 = 0; break;
            default: r0 = a.U3; r1 = 0; r2 = 0; r3 = 0; break;
        }
        int bits = shift & 63;
        if (bits != 0)
        {
            r0 = (r0 >> bits) | (r1 << (64 - bits));
            r1 = (r1 >> bits) | (r2 << (64 - bits));
            r2 = (r2 >> bits) | (r3 << (64 - bits));
            r3 >>= bits;
        }
        return new UInt256(r0, r1, r2, r3);
    }

    /// <summary>SAR: arithmetic shift right, filling with the sign bit.</summary>
    public static UInt256 ShiftRightArithmetic(in UInt256 a, in UInt256 shift)
    {
        bool negative = a.IsNegative;
        if (!shift.FitsInUlong || shift.U0 >= 256) return negative ? MaxValue : Zero;
        int s = (int)shift.U0;
        if (!negative) return ShiftRight(a, s);
        return Not(ShiftRight(Not(a), s));
    }

    public override string ToString()
    {
        Span<byte> bytes = stackalloc byte[32];
        WriteBigEndian(bytes);
        int first = bytes.IndexOfAnyExcept((byte)0);
        return first < 0 ? "0x0" : "0x" + Convert.ToHexStringLower(bytes[first..]).TrimStart('0');
    }
}
