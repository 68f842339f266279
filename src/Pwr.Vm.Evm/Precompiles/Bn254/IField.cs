namespace Pwr.Vm.Evm.Precompiles.Bn254;

/// <summary>The field operations curve arithmetic needs, so one generic implementation serves G1 (Fp) and G2 (Fp2).</summary>
internal interface IField<T> where T : struct, IField<T>
{
    static abstract T Zero { get; }
    static abstract T One { get; }
    bool IsZero { get; }
    static abstract bool Eq(in T a, in T b);
    static abstract T Add(in T a, in T b);
    static abstract T Sub(in T a, in T b);
    static abstract T Mul(in T a, in T b);
    static abstract T Square(in T a);
    static abstract T Neg(in T a);
    static abstract T Inverse(in T a);
}
