using System.Text.Json.Nodes;
using Pwr.Vm.Evm.Tracing;
using static Pwr.Vm.Evm.Rpc.RpcJson;

namespace Pwr.Vm.Evm.Rpc;

/// <summary>geth's callTracer JSON for a <see cref="CallFrame"/>: its field names, omissions and order.</summary>
internal static class CallTraceJson
{
    public static JsonObject Frame(CallFrame frame)
    {
        var json = new JsonObject
        {
            ["from"] = frame.From.ToString(),
            ["gas"] = Quantity(frame.Gas),
            ["gasUsed"] = Quantity(frame.GasUsed),
        };
        if (frame.To is { } to) json["to"] = to.ToString();
        json["input"] = Data(frame.Input);
        if (frame.Output.Length > 0) json["output"] = Data(frame.Output);
        if (frame.Error is { } error) json["error"] = error;
        if (frame.RevertReason is { Length: > 0 } reason) json["revertReason"] = reason;
        if (frame.Calls.Count > 0)
        {
            var calls = new JsonArray();
            foreach (var call in frame.Calls) calls.Add(Frame(call));
            json["calls"] = calls;
        }
        if (frame.Logs.Count > 0)
        {
            var logs = new JsonArray();
            foreach (var log in frame.Logs)
            {
                var topics = new JsonArray();
                foreach (var topic in log.Topics) topics.Add(topic.ToString());
                logs.Add(new JsonObject
                {
                    ["address"] = log.Address.ToString(),
                    ["topics"] = topics,
                    ["data"] = Data(log.Data),
                    ["position"] = Quantity((ulong)log.Position),
                });
            }
            json["logs"] = logs;
        }
        if (frame.Value is { } value) json["value"] = Quantity(value);
        json["type"] = TypeName(frame.Kind);
        return json;
    }

    private static string TypeName(CallKind kind) => kind switch
    {
        CallKind.Call => "CALL",
        CallKind.CallCode => "CALLCODE",
        CallKind.DelegateCall => "DELEGATECALL",
        CallKind.StaticCall => "STATICCALL",
        CallKind.Create => "CREATE",
        CallKind.Create2 => "CREATE2",
        CallKind.SelfDestruct => "SELFDESTRUCT",
        _ => kind.ToString().ToUpperInvariant(),
    };
}
