namespace Pwr.Vm.Evm.Precompiles.Bn254;

/// <summary>A point on y^2 = x^3 + b in Jacobian coordinates (x = X/Z^2, y = Y/Z^3); Z = 0 is the point at infinity.</summary>
internal readonly struct JacobianPoint<T> where T : struct, IField<T>
{
    public readonly T X, Y, Z;

    public JacobianPoint(in T x, in T y, in T z)
    {
        X = x; Y = y; Z = z;
    }

    public static JacobianPoint<T> Infinity => new(T.One, T.One, T.Zero);

    public bool IsInfinity => Z.IsZero;

    public static JacobianPoint<T> FromAffine(in T x, in T y) => new(x, y, T.One);

    /// <summary>True when (x, y) satisfies y^2 = x^3 + b.</summary>
    public static bool IsOnCurve(in T x, in T y, in T b) => T.Eq(T.Square(y), T.Add(T.Mul(T.Square(x), x), b));

    public void ToAffine(out T x, out T y)
    {
        if (IsInfinity)
        {
            x = T.Zero; y = T.Zero;
            return;
        }
        var zInv = T.Inverse(Z);
        var zInv2 = T.Square(zInv);
        x = T.Mul(X, zInv2);
        y = T.Mul(Y, T.Mul(zInv2, zInv));
    }

    public static JacobianPoint<T> Double(in JacobianPoint<T> p)
    {
        if (p.IsInfinity || p.Y.IsZero) return Infinity;
        // dbl-2009-l (a = 0).
        var a = T.Square(p.X);
        var b = T.Square(p.Y);
        var c = T.Square(b);
        var t = T.Sub(T.Sub(T.Square(T.Add(p.X, b)), a), c);
        var d = T.Add(t, t);
        var e = T.Add(T.Add(a, a), a);
        var f = T.Square(e);
        var x3 = T.Sub(f, T.Add(d, d));
        var c8 = T.Add(c, c); c8 = T.Add(c8, c8); c8 = T.Add(c8, c8);
        var y3 = T.Sub(T.Mul(e, T.Sub(d, x3)), c8);
        var yz = T.Mul(p.Y, p.Z);
        return new(x3, y3, T.Add(yz, yz));
    }

    public static JacobianPoint<T> Add(in JacobianPoint<T> p, in JacobianPoint<T> q)
    {
        if (p.IsInfinity) return q;
        if (q.IsInfinity) return p;
        var z1z1 = T.Square(p.Z);
        var z2z2 = T.Square(q.Z);
        var u1 = T.Mul(p.X, z2z2);
        var u2 = T.Mul(q.X, z1z1);
        var s1 = T.Mul(p.Y, T.Mul(q.Z, z2z2));
        var s2 = T.Mul(q.Y, T.Mul(p.Z, z1z1));
        if (T.Eq(u1, u2)) return T.Eq(s1, s2) ? Double(p) : Infinity;
        var h = T.Sub(u2, u1);
        var r = T.Sub(s2, s1);
        var h2 = T.Square(h);
        var h3 = T.Mul(h2, h);
        var u1h2 = T.Mul(u1, h2);
        var x3 = T.Sub(T.Sub(T.Square(r), h3), T.Add(u1h2, u1h2));
        var y3 = T.Sub(T.Mul(r, T.Sub(u1h2, x3)), T.Mul(s1, h3));
        var z3 = T.Mul(h, T.Mul(p.Z, q.Z));
        return new(x3, y3, z3);
    }

    /// <summary>k·p for a big-endian scalar of any length (not reduced: Ethereum's ecMul takes any 256-bit k).</summary>
    public static JacobianPoint<T> Multiply(in JacobianPoint<T> p, ReadOnlySpan<byte> scalarBigEndian)
    {
        // Fixed 4-bit windows: 4 doublings and at most one addition per nibble, from a table of 0·p .. 15·p
        // (about a fifth fewer field operations than bit-by-bit double-and-add on 256-bit scalars).
        int start = scalarBigEndian.IndexOfAnyExcept((byte)0);
        if (start < 0 || p.IsInfinity) return Infinity;
        var table = new JacobianPoint<T>[16];
        table[0] = Infinity;
        table[1] = p;
        for (int i = 2; i < 16; i++) table[i] = (i & 1) == 0 ? Double(table[i / 2]) : Add(table[i - 1], p);

        var result = Infinity;
        for (int i = start; i < scalarBigEndian.Length; i++)
        {
            byte b = scalarBigEndian[i];
            for (int half = 0; half < 2; half++)
            {
                result = Double(Double(Double(Double(result))));
                int nibble = half == 0 ? b >> 4 : b & 0xF;
                if (nibble != 0) result = Add(result, table[nibble]);
            }
        }
        return result;
    }
}
