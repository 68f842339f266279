namespace Pwr.Vm.Evm.Tracing;

/// <summary>What opened a call frame; the values are the opcodes, so the interpreter converts without a table.</summary>
public enum CallKind : byte
{
    Create = 0xf0,
    Call = 0xf1,
    CallCode = 0xf2,
    DelegateCall = 0xf4,
    Create2 = 0xf5,
    StaticCall = 0xfa,
    SelfDestruct = 0xff,
}
