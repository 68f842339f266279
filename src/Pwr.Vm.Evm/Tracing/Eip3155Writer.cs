using System.Globalization;
using System.Text;
using Pwr.Core;

namespace Pwr.Vm.Evm.Tracing;

/// <summary>
/// EIP-3155 traces: one JSON object per line for each executed opcode (pc, op, gas, gasCost, memSize, stack, depth,
/// returnData, refund, opName, and error where the opcode failed), then a summary line per transaction, the format
/// goevmlab and the clients' `evm statetest --json` tools compare. Entries stream through a <see cref="StructLogger"/> sink.
/// </summary>
public sealed class Eip3155Writer(TextWriter output, bool withMemory = false)
{
    private readonly StringBuilder _line = new(256);

    /// <summary>A logger for one transaction whose entries go straight to the output.</summary>
    public StructLogger NewLogger()
        => new(new StructLoggerOptions(EnableMemory: withMemory, DisableStorage: true, EnableReturnData: true), WriteStep);

    public void WriteStep(StructLog step)
    {
        var b = _line.Clear();
        b.Append("{\"pc\":").Append(step.Pc)
            .Append(",\"op\":").Append(step.Op)
            .Append(",\"gas\":\"").Append(Hex(step.Gas))
            .Append("\",\"gasCost\":\"").Append(Hex(step.GasCost))
            .Append("\",\"memSize\":").Append(step.MemorySize)
            .Append(",\"stack\":[");
        var stack = step.Stack ?? [];
        for (int i = 0; i < stack.Length; i++)
        {
            if (i > 0) b.Append(',');
            b.Append('"').Append(stack[i].ToString()).Append('"');
        }
        b.Append("],\"depth\":").Append(step.Depth)
            .Append(",\"returnData\":\"0x").Append(Convert.ToHexStringLower(step.ReturnData ?? []))
            .Append("\",\"refund\":\"").Append(Hex(step.Refund))
            .Append("\",\"opName\":\"").Append(OpcodeNames.Name(step.Op)).Append('"');
        if (step.Error is { } error) b.Append(",\"error\":\"").Append(error).Append('"');
        if (step.Memory is { } memory) b.Append(",\"memory\":\"0x").Append(Convert.ToHexStringLower(memory)).Append('"');
        b.Append('}');
        output.WriteLine(b);
    }

    /// <summary>The line that ends a transaction's trace.</summary>
    public void WriteSummary(in Hash32 stateRoot, byte[] returned, long gasUsed, bool pass, string fork, TimeSpan time, string? error = null)
    {
        var b = _line.Clear();
        b.Append("{\"stateRoot\":\"").Append(stateRoot.ToString())
            .Append("\",\"output\":\"0x").Append(Convert.ToHexStringLower(returned))
            .Append("\",\"gasUsed\":\"").Append(Hex(gasUsed))
            .Append("\",\"pass\":").Append(pass ? "true" : "false")
            .Append(",\"time\":").Append((long)(time.TotalMilliseconds * 1_000_000))
            .Append(",\"fork\":\"").Append(fork).Append('"');
        if (error is not null) b.Append(",\"error\":\"").Append(error.Replace("\"", "'", StringComparison.Ordinal)).Append('"');
        b.Append('}');
        output.WriteLine(b);
    }

    private static string Hex(long value) => "0x" + value.ToString("x", CultureInfo.InvariantCulture);
}
