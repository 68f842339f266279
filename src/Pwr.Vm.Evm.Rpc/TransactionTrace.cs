using System.Text.Json.Nodes;
using Pwr.Vm.Evm.Execution;
using Pwr.Vm.Evm.Tracing;
using static Pwr.Vm.Evm.Rpc.RpcJson;

namespace Pwr.Vm.Evm.Rpc;

/// <summary>The tracer a debug_trace* call asked for, for one transaction: attached to the processor while it runs,
/// then its geth-shaped JSON (null when the transaction did not run).</summary>
internal abstract class TransactionTrace
{
    public abstract void Attach(TransactionProcessor processor);
    public abstract void Detach(TransactionProcessor processor);
    public abstract JsonNode? Result();

    /// <summary>geth's callTracer.</summary>
    public sealed class Calls(CallTracer tracer) : TransactionTrace
    {
        public override void Attach(TransactionProcessor processor) => processor.Tracer = tracer;
        public override void Detach(TransactionProcessor processor) => processor.Tracer = null;
        public override JsonNode? Result() => tracer.Result is { } frame ? CallTraceJson.Frame(frame) : null;
    }

    /// <summary>geth's default struct logger: <c>{gas, failed, returnValue, structLogs: [...]}</c>.</summary>
    public sealed class Steps(StructLogger logger, StructLogBudget budget) : TransactionTrace
    {
        public override void Attach(TransactionProcessor processor) => processor.Steps = logger;
        public override void Detach(TransactionProcessor processor) => processor.Steps = null;

        public override JsonNode? Result()
        {
            if (!logger.Finished) return null;
            if (logger.OverBudget)
                throw new RpcException(RpcException.ServerError,
                    $"the struct log outgrew {budget.Bytes >> 20} MiB (for the whole request) after {logger.Steps.Count} entries of this transaction: pass a \"limit\", \"disableStack\": true, or use the callTracer");
            var logs = new JsonArray();
            foreach (var step in logger.Steps) logs.Add(Entry(step));
            return new JsonObject
            {
                ["gas"] = logger.GasUsed,
                ["failed"] = logger.Failed,
                ["returnValue"] = Data(logger.ReturnValue),
                ["structLogs"] = logs,
            };
        }

        // Field names, order and omissions as geth's legacy struct log JSON: stack words as quantities, memory as 32-byte
        // words and storage as 32-byte hex, both without 0x; refund and error left out when zero or absent.
        private static JsonObject Entry(StructLog step)
        {
            var entry = new JsonObject
            {
                ["pc"] = step.Pc,
                ["op"] = OpcodeNames.Name(step.Op),
                ["gas"] = step.Gas,
                ["gasCost"] = step.GasCost,
                ["depth"] = step.Depth,
            };
            if (step.Error is { } error) entry["error"] = error;
            if (step.Stack is { } stack)
            {
                var items = new JsonArray();
                foreach (var item in stack) items.Add(item.ToString());
                entry["stack"] = items;
            }
            if (step.ReturnData is { Length: > 0 } returnData) entry["returnData"] = Data(returnData);
            if (step.Memory is { Length: > 0 } memory)
            {
                var words = new JsonArray();
                for (int i = 0; i < memory.Length; i += 32) words.Add(Convert.ToHexStringLower(memory, i, Math.Min(32, memory.Length - i)));
                entry["memory"] = words;
            }
            if (step.Storage is { Length: > 0 } storage)
            {
                var slots = new JsonObject();
                foreach (var (key, value) in storage)
                    slots[Convert.ToHexStringLower(key.ToBigEndian())] = Convert.ToHexStringLower(value.ToBigEndian());
                entry["storage"] = slots;
            }
            if (step.Refund != 0) entry["refund"] = step.Refund;
            return entry;
        }
    }

    /// <summary>geth's prestateTracer: <c>{address: account}</c>, or <c>{"post": …, "pre": …}</c> in diff mode.</summary>
    public sealed class Prestate(PrestateTracer tracer) : TransactionTrace
    {
        public override void Attach(TransactionProcessor processor) => processor.Prestate = tracer;
        public override void Detach(TransactionProcessor processor) => processor.Prestate = null;

        public override JsonNode? Result()
        {
            if (!tracer.Finished) return null;
            return tracer.DiffMode ? new JsonObject { ["post"] = Accounts(tracer.Post), ["pre"] = Accounts(tracer.Pre) } : Accounts(tracer.Pre);
        }

        private static JsonObject Accounts(SortedDictionary<Pwr.Core.Address, PrestateAccount> accounts)
        {
            var json = new JsonObject();
            foreach (var (address, account) in accounts)
            {
                // Field names, order and omissions as geth's gen_account_json: empty code, zero nonce and empty storage are left out.
                var entry = new JsonObject();
                if (account.Balance is { } balance) entry["balance"] = Quantity(balance);
                if (account.Code is { Length: > 0 } code) entry["code"] = Data(code);
                if (account.CodeHash is { } codeHash) entry["codeHash"] = codeHash.ToString();
                if (account.Nonce != 0) entry["nonce"] = account.Nonce;
                if (account.Storage is { Count: > 0 } storage)
                {
                    var slots = new JsonObject();
                    foreach (var (key, value) in storage) slots[Data(key.ToBigEndian())] = Data(value.ToBigEndian());
                    entry["storage"] = slots;
                }
                json[address.ToString()] = entry;
            }
            return json;
        }
    }
}
