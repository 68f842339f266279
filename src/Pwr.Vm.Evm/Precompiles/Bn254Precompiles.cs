using Pwr.Vm.Evm.Precompiles.Bn254;

namespace Pwr.Vm.Evm.Precompiles;

/// <summary>0x06..0x08: bn254 (alt_bn128) point addition, scalar multiplication (EIP-196) and pairing check (EIP-197), Istanbul gas (EIP-1108).</summary>
internal static class Bn254Precompiles
{
    public const long AddGas = 150;
    public const long MulGas = 6000;
    public const long PairingBaseGas = 45000;
    public const long PairingPerPairGas = 34000;
    private const int PairLength = 192;

    public static PrecompileResult Add(ReadOnlySpan<byte> input, long gas)
    {
        if (AddGas > gas) return PrecompileResult.Failure(gas);
        Span<byte> buffer = stackalloc byte[128];
        PrecompileInput.CopyPadded(input, 0, buffer);
        if (!TryReadG1(buffer[..64], out var a) || !TryReadG1(buffer[64..], out var b)) return PrecompileResult.Failure(gas);
        return new PrecompileResult(true, AddGas, WriteG1(JacobianPoint<Fp>.Add(a, b)));
    }

    public static PrecompileResult Mul(ReadOnlySpan<byte> input, long gas)
    {
        if (MulGas > gas) return PrecompileResult.Failure(gas);
        Span<byte> buffer = stackalloc byte[96];
        PrecompileInput.CopyPadded(input, 0, buffer);
        if (!TryReadG1(buffer[..64], out var p)) return PrecompileResult.Failure(gas);
        return new PrecompileResult(true, MulGas, WriteG1(JacobianPoint<Fp>.Multiply(p, buffer[64..])));
    }

    public static PrecompileResult PairingCheck(ReadOnlySpan<byte> input, long gas)
    {
        // EIP-197: the input is k pairs of (G1, G2) points, 192 bytes each, with no padding; k = 0 is allowed (true).
        if (input.Length % PairLength != 0) return PrecompileResult.Failure(gas);
        int k = input.Length / PairLength;
        long cost = PairingBaseGas + PairingPerPairGas * k;
        if (cost > gas) return PrecompileResult.Failure(gas);

        var px = new Fp[k];
        var py = new Fp[k];
        var qx = new Fp2[k];
        var qy = new Fp2[k];
        int used = 0;
        for (int i = 0; i < k; i++)
        {
            var pair = input.Slice(i * PairLength, PairLength);
            if (!TryReadG1(pair[..64], out var p) || !TryReadG2(pair[64..], out var q)) return PrecompileResult.Failure(gas);
            // e(O, Q) = e(P, O) = 1: such pairs change nothing.
            if (p.IsInfinity || q.IsInfinity) continue;
            px[used] = p.X; py[used] = p.Y; qx[used] = q.X; qy[used] = q.Y;
            used++;
        }

        bool one = Pairing.ProductIsOne(px.AsSpan(0, used), py.AsSpan(0, used), qx.AsSpan(0, used), qy.AsSpan(0, used));
        var output = new byte[32];
        if (one) output[31] = 1;
        return new PrecompileResult(true, cost, output);
    }

    /// <summary>Reads (x, y); (0, 0) is the point at infinity; otherwise both below p and on y^2 = x^3 + 3. Affine, Z = 1.</summary>
    internal static bool TryReadG1(ReadOnlySpan<byte> data64, out JacobianPoint<Fp> point)
    {
        point = JacobianPoint<Fp>.Infinity;
        if (!Fp.TryRead(data64[..32], out var x) || !Fp.TryRead(data64[32..64], out var y)) return false;
        if (x.IsZero && y.IsZero) return true;
        if (!JacobianPoint<Fp>.IsOnCurve(x, y, Bn254Constants.G1B)) return false;
        point = JacobianPoint<Fp>.FromAffine(x, y);
        return true;
    }

    /// <summary>
    /// Reads (x, y) in Fp2, each as imaginary part then real part (EIP-197); all zero is infinity; otherwise on the twist
    /// y^2 = x^3 + 3/(9+u) and in the order-r subgroup (the twist has other points too, and the pairing is only defined there).
    /// </summary>
    internal static bool TryReadG2(ReadOnlySpan<byte> data128, out JacobianPoint<Fp2> point)
    {
        point = JacobianPoint<Fp2>.Infinity;
        if (!Fp.TryRead(data128[..32], out var xIm) || !Fp.TryRead(data128[32..64], out var xRe)
            || !Fp.TryRead(data128[64..96], out var yIm) || !Fp.TryRead(data128[96..128], out var yRe))
            return false;
        var x = new Fp2(xRe, xIm);
        var y = new Fp2(yRe, yIm);
        if (x.IsZero && y.IsZero) return true;
        if (!JacobianPoint<Fp2>.IsOnCurve(x, y, Bn254Constants.TwistB)) return false;
        var candidate = JacobianPoint<Fp2>.FromAffine(x, y);
        if (!G2.MultiplyByOrder(candidate).IsInfinity) return false;
        point = candidate;
        return true;
    }

    private static byte[] WriteG1(in JacobianPoint<Fp> point)
    {
        var output = new byte[64];
        if (point.IsInfinity) return output;
        point.ToAffine(out var x, out var y);
        x.Write(output);
        y.Write(output.AsSpan(32));
        return output;
    }
}
