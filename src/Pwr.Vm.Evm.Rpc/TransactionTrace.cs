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
