using System.Text;
using Pwr.Vm.Evm.Execution;
using Pwr.Vm.Evm.Numerics;

namespace Pwr.Vm.Evm.Tests.Execution;

/// <summary>The compiled tier (contract code translated to IL, see Evm.Compiler.cs) against the interpreter on code the
/// state tests barely reach: code split into several chunks, jumps between them, and a stack kept virtual across long
/// runs of PUSH/DUP/SWAP/arithmetic.</summary>
public class CompiledTierTests
{
    /// <summary>A "function" far past the first chunk, called with a return address on the stack (as Solidity does):
    /// a static jump out of the first chunk and a computed jump back into it, in a loop.</summary>
    private static string CrossChunkProgram()
    {
        // The far function adds 7 to the counter and returns to "ret"; the loop calls it until the counter is 35.
        const int filler = 3000; // JUMPDEST PUSH1 1 POP, never run: 9,000 opcodes, several chunks between loop and far
        const int loop = 2, ret = 19, done = 24, fillerStart = 29, far = fillerStart + filler * 4;
        var code = new StringBuilder();
        code.Append("6000");                     // 0: PUSH1 0 (the counter)
        code.Append("5b");                       // 2: loop: JUMPDEST
        code.Append("80602314");                 // 3: DUP1 PUSH1 35 EQ
        code.Append($"61{done:x4}57");           // 7: PUSH2 done JUMPI
        code.Append($"61{ret:x4}90");            // 11: PUSH2 ret SWAP1: [counter, ret]
        code.Append($"61{far:x4}56");            // 15: PUSH2 far JUMP
        code.Append($"5b61{loop:x4}56");         // 19: ret: JUMPDEST PUSH2 loop JUMP
        code.Append("5b60005500");               // 24: done: JUMPDEST PUSH1 0 SSTORE STOP
        for (int i = 0; i < filler; i++) code.Append("5b600150");
        code.Append("5b6007019056");             // far: JUMPDEST PUSH1 7 ADD SWAP1 JUMP (a computed jump back to ret)
        return code.ToString();
    }

    [Fact]
    public void Calls_across_chunks_give_the_interpreters_result()
    {
        string code = CrossChunkProgram();
        var interpreted = new EvmHarness { CompilePolicy = EvmCompilePolicy.Off }.WithCode(code);
        var compiled = new EvmHarness { CompilePolicy = EvmCompilePolicy.Always }.WithCode(code);
        var a = interpreted.Call(1_000_000);
        var b = compiled.Call(1_000_000);
        Assert.True(a.Success, a.ErrorMessage);
        Assert.Equal(a.Success, b.Success);
        Assert.Equal(a.GasUsed, b.GasUsed);
        Assert.Equal(interpreted.Storage(0), compiled.Storage(0));
        Assert.Equal(new UInt256(35), compiled.Storage(0)); // five rounds of +7
    }

    /// <summary>Long straight-line shuffles: DUP16/SWAP16 reach below the block's entry, and values written by
    /// arithmetic are swapped around before they reach memory.</summary>
    [Fact]
    public void Deep_stack_shuffles_give_the_interpreters_result()
    {
        var code = new StringBuilder();
        for (int i = 1; i <= 17; i++) code.Append($"60{i:x2}");            // PUSH1 1..17
        code.Append("5b");                                                   // a block boundary: entry items are in memory
        for (int round = 0; round < 40; round++)
        {
            for (int i = 0; i < 6; i++) code.Append($"60{(round * 6 + i) & 0xff:x2}"); // the round pops six items net
            code.Append("8f" + "9f" + "01" + "91" + "8e" + "02" + "9e" + "50"); // DUP16 SWAP16 ADD SWAP2 DUP15 MUL SWAP15 POP
            code.Append("6001" + "1b" + "90" + "6002" + "1c" + "17" + "19" + "15" + "11"); // SHL/SHR by constants, OR, NOT, ISZERO, GT
            code.Append("80" + "6003" + "10" + "03" + "8a" + "12" + "13" + "18" + "16"); // LT SUB SLT SGT XOR AND
        }
        // Store the top 16 items.
        for (int i = 0; i < 16; i++) code.Append($"60{i:x2}55");
        code.Append("00");
        var interpreted = new EvmHarness { CompilePolicy = EvmCompilePolicy.Off }.WithCode(code.ToString());
        var compiled = new EvmHarness { CompilePolicy = EvmCompilePolicy.Always }.WithCode(code.ToString());
        var a = interpreted.Call(5_000_000);
        var b = compiled.Call(5_000_000);
        Assert.Equal(a.Success, b.Success);
        Assert.Equal(a.GasUsed, b.GasUsed);
        bool anyNonZero = false;
        for (ulong slot = 0; slot < 16; slot++)
        {
            Assert.Equal(interpreted.Storage(slot), compiled.Storage(slot));
            anyNonZero |= !compiled.Storage(slot).IsZero;
        }
        Assert.True(a.Success, a.ErrorMessage);
        Assert.True(anyNonZero, "the program stored only zeros: it checks nothing");
    }

    [Fact]
    public void Auto_policy_compiles_hot_code_in_the_background_with_the_same_results()
    {
        // A loop of ~20 M gas: past the compile threshold after one call.
        string loop = "6000" + "5b" + "6001" + "01" + "80" + "620f4240" + "11" + "6002" + "57" + "600055" + "00";
        var harness = new EvmHarness { CompilePolicy = EvmCompilePolicy.Auto, Block = new() { GasLimit = 100_000_000 } }.WithCode(loop);
        var first = harness.Call(30_000_000, nonce: 0);
        Assert.True(first.Success, first.ErrorMessage);
        var interpreted = new EvmHarness { CompilePolicy = EvmCompilePolicy.Off, Block = harness.Block }.WithCode(loop);
        interpreted.Call(30_000_000, nonce: 0);
        var expected = interpreted.Call(30_000_000, nonce: 1);
        var code = EvmThread.Run(() => new WorldState(harness.Backend, harness.Codes).GetCode(EvmHarness.Contract));
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (Volatile.Read(ref code.Compiled) is null && DateTime.UtcNow < deadline) Thread.Sleep(20);
        Assert.NotNull(code.Compiled);
        var second = harness.Call(30_000_000, nonce: 1);
        Assert.True(second.Success, second.ErrorMessage);
        Assert.Equal(expected.GasUsed, second.GasUsed);
        Assert.Equal(new UInt256(1_000_000), harness.Storage(0));
    }
}
