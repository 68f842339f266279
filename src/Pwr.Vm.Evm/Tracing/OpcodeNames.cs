namespace Pwr.Vm.Evm.Tracing;

/// <summary>Cancun's opcode mnemonics as geth prints them (0x44 is still "DIFFICULTY" there); an undefined byte reads
/// "opcode 0xc not defined".</summary>
public static class OpcodeNames
{
    private static readonly string?[] Names = Build();

    public static string Name(byte op) => Names[op] ?? $"opcode 0x{op:x} not defined";

    private static string?[] Build()
    {
        var names = new string?[256];
        string[] arithmetic = ["STOP", "ADD", "MUL", "SUB", "DIV", "SDIV", "MOD", "SMOD", "ADDMOD", "MULMOD", "EXP", "SIGNEXTEND"];
        string[] comparison = ["LT", "GT", "SLT", "SGT", "EQ", "ISZERO", "AND", "OR", "XOR", "NOT", "BYTE", "SHL", "SHR", "SAR"];
        string[] environment = ["ADDRESS", "BALANCE", "ORIGIN", "CALLER", "CALLVALUE", "CALLDATALOAD", "CALLDATASIZE", "CALLDATACOPY",
            "CODESIZE", "CODECOPY", "GASPRICE", "EXTCODESIZE", "EXTCODECOPY", "RETURNDATASIZE", "RETURNDATACOPY", "EXTCODEHASH",
            "BLOCKHASH", "COINBASE", "TIMESTAMP", "NUMBER", "DIFFICULTY", "GASLIMIT", "CHAINID", "SELFBALANCE", "BASEFEE",
            "BLOBHASH", "BLOBBASEFEE"];
        string[] memory = ["POP", "MLOAD", "MSTORE", "MSTORE8", "SLOAD", "SSTORE", "JUMP", "JUMPI", "PC", "MSIZE", "GAS", "JUMPDEST",
            "TLOAD", "TSTORE", "MCOPY", "PUSH0"];
        arithmetic.CopyTo(names, 0x00);
        comparison.CopyTo(names, 0x10);
        names[0x20] = "KECCAK256";
        environment.CopyTo(names, 0x30);
        memory.CopyTo(names, 0x50);
        for (int n = 1; n <= 32; n++) names[0x5f + n] = "PUSH" + n;
        for (int n = 1; n <= 16; n++) names[0x7f + n] = "DUP" + n;
        for (int n = 1; n <= 16; n++) names[0x8f + n] = "SWAP" + n;
        for (int n = 0; n <= 4; n++) names[0xa0 + n] = "LOG" + n;
        names[0xf0] = "CREATE"; names[0xf1] = "CALL"; names[0xf2] = "CALLCODE"; names[0xf3] = "RETURN";
        names[0xf4] = "DELEGATECALL"; names[0xf5] = "CREATE2"; names[0xfa] = "STATICCALL"; names[0xfd] = "REVERT";
        names[0xfe] = "INVALID"; names[0xff] = "SELFDESTRUCT";
        return names;
    }
}
