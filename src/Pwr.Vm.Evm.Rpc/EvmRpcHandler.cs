using System.Globalization;
using System.Numerics;
using System.Text.Json;
using System.Text.Json.Nodes;
using Pwr.Core;
using Pwr.Vm.Evm.Execution;
using Pwr.Vm.Evm.Numerics;
using Pwr.Vm.Evm.Tracing;
using Pwr.Vm.Evm.Transactions;
using Pwr.Vm.Evm.Vm;
using static Pwr.Vm.Evm.Rpc.RpcJson;

namespace Pwr.Vm.Evm.Rpc;

/// <summary>Answers Ethereum JSON-RPC 2.0 requests (single or batch) from the EVM VM's committed state and the wrapper's pending pool.</summary>
public sealed class EvmRpcHandler
{
    private const int MaxBatch = 1000;
    private static readonly string EmptyUnclesHash = "0x1dcc4de8dec75d7aab85b567b6ccd41ad312451b948a7413f0a142fd40d49347";

    private readonly EvmChainReader _chain;
    private readonly EvmVmOptions _vm;
    private readonly EvmRpcOptions _options;
    private readonly PendingTransactions _pending = new();
    private readonly QueuedTransactions _queued = new(maxPerSender: 64, maxTotal: 16_384);
    private readonly Lock _admission = new();
    private readonly RpcFilters _filters = new(TimeProvider.System);
    private readonly Action<byte[], Hash32> _submit;

    /// <summary>A handler over the VM's committed state; <paramref name="submit"/> queues a validated raw transaction for the base layer.</summary>
    public EvmRpcHandler(IVmStateReader state, EvmVmOptions vm, EvmRpcOptions options, Action<byte[], Hash32> submit)
    {
        _chain = new EvmChainReader(state);
        _vm = vm;
        _options = options;
        _submit = submit;
    }

    internal PendingTransactions Pending => _pending;

    internal EvmChainReader Chain => _chain;

    /// <summary>Handles one HTTP body; returns the response body, or null when there is nothing to answer.</summary>
    public string Handle(ReadOnlySpan<byte> body)
    {
        JsonDocument doc;
        try { doc = JsonDocument.Parse(body.ToArray()); }
        catch (JsonException e) { return Error(null, RpcException.ParseError, "parse error: " + e.Message).ToJsonString(); }
        using (doc)
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Array) return HandleOne(root).ToJsonString(ResponseJson);
            int count = root.GetArrayLength();
            if (count == 0) return Error(null, RpcException.InvalidRequest, "empty batch").ToJsonString();
            if (count > MaxBatch) return Error(null, RpcException.InvalidRequest, $"batch of {count} requests exceeds {MaxBatch}").ToJsonString();
            PrunePending();
            var results = new JsonArray();
            foreach (var request in root.EnumerateArray()) results.Add(HandleOne(request));
            return results.ToJsonString(ResponseJson);
        }
    }

    // A call trace nests two JSON levels per frame and frames nest up to 1025 deep: past the writer's default of 1000.
    private static readonly JsonSerializerOptions ResponseJson = new() { MaxDepth = 4096 };

    private JsonObject HandleOne(JsonElement request)
    {
        JsonNode? id = null;
        if (request.ValueKind != JsonValueKind.Object) return Error(null, RpcException.InvalidRequest, "invalid request: object expected");
        if (request.TryGetProperty("id", out var idElement))
        {
            if (idElement.ValueKind is not (JsonValueKind.String or JsonValueKind.Number or JsonValueKind.Null))
                return Error(null, RpcException.InvalidRequest, "invalid request: id must be a string, number or null");
            id = JsonNode.Parse(idElement.GetRawText());
        }
        if (!request.TryGetProperty("jsonrpc", out var version) || version.ValueKind != JsonValueKind.String || version.GetString() != "2.0")
            return Error(id, RpcException.InvalidRequest, "invalid request: jsonrpc must be \"2.0\"");
        if (!request.TryGetProperty("method", out var methodElement) || methodElement.ValueKind != JsonValueKind.String)
            return Error(id, RpcException.InvalidRequest, "invalid request: method must be a string");
        var parameters = request.TryGetProperty("params", out var p) ? p : default;
        if (parameters.ValueKind is not (JsonValueKind.Undefined or JsonValueKind.Array or JsonValueKind.Null))
            return Error(id, RpcException.InvalidParams, "invalid params: array expected");
        try
        {
            var result = Dispatch(methodElement.GetString()!, parameters);
            return new JsonObject { ["jsonrpc"] = "2.0", ["id"] = id, ["result"] = result };
        }
        catch (RpcException e)
        {
            return Error(id, e.Code, e.Message, e.ErrorData);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // A bug or a broken store answers this one request with an error; the server keeps serving.
            return Error(id, RpcException.InternalError, "internal error: " + e.Message);
        }
    }

    private static JsonObject Error(JsonNode? id, int code, string message, string? data = null)
    {
        var error = new JsonObject { ["code"] = code, ["message"] = message };
        if (data is not null) error["data"] = data;
        return new JsonObject { ["jsonrpc"] = "2.0", ["id"] = id, ["error"] = error };
    }

    private JsonNode? Dispatch(string method, JsonElement p) => method switch
    {
        "eth_chainId" => Quantity(_vm.ChainId),
        "net_version" => _vm.ChainId.ToString(System.Globalization.CultureInfo.InvariantCulture),
        "net_listening" => true,
        "net_peerCount" => "0x0",
        "web3_clientVersion" => _options.ClientVersion,
        "web3_sha3" => Data(Keccak.Hash256(ParseData(Param(p, 0, "data"), "data")).ToArray()),
        "eth_syncing" => false,
        "eth_mining" => false,
        "eth_hashrate" => "0x0",
        "eth_accounts" => new JsonArray(),
        "eth_blockNumber" => Quantity(Head().Number),
        "eth_gasPrice" => Quantity(_vm.BaseFee + PriorityFee),
        "eth_maxPriorityFeePerGas" => Quantity(PriorityFee),
        "eth_feeHistory" => FeeHistory(p),
        "eth_getBalance" => Quantity(StateAt(p, 1).TryGetAccount(ParseAddress(Param(p, 0, "address"), "address"), out var a) ? a.Balance : UInt256.Zero),
        "eth_getTransactionCount" => TransactionCount(p),
        "eth_getCode" => GetCode(p),
        "eth_getStorageAt" => GetStorageAt(p),
        "eth_getProof" => GetProof(p),
        "eth_call" => Call(p),
        "eth_estimateGas" => EstimateGas(p),
        "eth_sendRawTransaction" => SendRawTransaction(p),
        "eth_getTransactionByHash" => TransactionByHash(ParseHash(Param(p, 0, "hash"), "hash")),
        "eth_getTransactionReceipt" => Receipt(ParseHash(Param(p, 0, "hash"), "hash")),
        "eth_getBlockByNumber" => BlockJson(BlockByTag(Param(p, 0, "block")), FullTransactions(p)),
        "eth_getBlockByHash" => BlockJson(_chain.GetBlock(ParseHash(Param(p, 0, "hash"), "hash")), FullTransactions(p)),
        "eth_getBlockTransactionCountByNumber" => BlockByTag(Param(p, 0, "block")) is { } b ? Quantity((ulong)b.TransactionHashes.Count) : null,
        "eth_getBlockTransactionCountByHash" => _chain.GetBlock(ParseHash(Param(p, 0, "hash"), "hash")) is { } b ? Quantity((ulong)b.TransactionHashes.Count) : null,
        "eth_getTransactionByBlockNumberAndIndex" => TransactionInBlock(BlockByTag(Param(p, 0, "block")), Param(p, 1, "index")),
        "eth_getTransactionByBlockHashAndIndex" => TransactionInBlock(_chain.GetBlock(ParseHash(Param(p, 0, "hash"), "hash")), Param(p, 1, "index")),
        "eth_getUncleCountByBlockNumber" or "eth_getUncleCountByBlockHash" => "0x0",
        // One block per base-layer block: never an uncle.
        "eth_getUncleByBlockNumberAndIndex" or "eth_getUncleByBlockHashAndIndex" => null,
        "eth_getBlockReceipts" => BlockReceipts(Param(p, 0, "block")),
        // No blob ever lands (type 3 is rejected), so the excess blob gas stays 0 and the fee at its minimum, as BLOBBASEFEE reads it.
        "eth_blobBaseFee" => Quantity(_vm.BlockContext(0, 0, Hash32.Zero, _chain).BlobBaseFee),
        "eth_createAccessList" => CreateAccessList(p),
        "eth_getLogs" => GetLogs(Param(p, 0, "filter")),
        "eth_newFilter" => NewFilter(p),
        "eth_newBlockFilter" => _filters.Install(RpcFilters.Kind.Blocks, null, Head().Number),
        "eth_newPendingTransactionFilter" => _filters.Install(RpcFilters.Kind.PendingTransactions, null, (ulong)_pending.Added),
        "txpool_status" => TxPoolStatus(),
        "txpool_content" => TxPoolContent(),
        "eth_getFilterChanges" => FilterChanges(p),
        "eth_getFilterLogs" => FilterLogs(p),
        "eth_uninstallFilter" => UninstallFilter(p),
        "debug_traceTransaction" => TraceTransaction(p),
        "debug_traceBlockByNumber" => TraceBlock(BlockByTag(Param(p, 0, "block")) ?? throw new RpcException(RpcException.ServerError, $"block #{ParseU64(p[0], "block")} not found"), p),
        "debug_traceBlockByHash" => TraceBlock(_chain.GetBlock(ParseHash(Param(p, 0, "hash"), "hash")) ?? throw new RpcException(RpcException.ServerError, $"block {ParseHash(p[0], "hash")} not found"), p),
        "debug_traceCall" => TraceCall(p),
        _ => throw new RpcException(RpcException.MethodNotFound, $"the method {method} does not exist/is not available"),
    };

    private static UInt256 PriorityFee => new(1_000_000_000);

    private EvmBlock Head()
        => _chain.Head is { } n && _chain.GetBlock(n) is { } b ? b : throw new RpcException(RpcException.ServerError, "the EVM has not executed its genesis block yet");

    private static bool FullTransactions(JsonElement p) => TryOptional(p, 1, out var f) && f.ValueKind == JsonValueKind.True;

    /// <summary>eth_getBlockReceipts: the receipts of a block named by number, tag, hash or {blockHash}/{blockNumber}; null when unknown.</summary>
    private JsonArray? BlockReceipts(JsonElement block)
    {
        var b = block.ValueKind == JsonValueKind.String && block.GetString() is { Length: 66 }
            ? _chain.GetBlock(ParseHash(block, "block"))
            : BlockByTag(block);
        if (b is null) return null;
        var receipts = new JsonArray();
        foreach (var hash in b.TransactionHashes) receipts.Add(Receipt(hash));
        return receipts;
    }

    private EvmBlock? BlockByTag(JsonElement tag)
    {
        if (tag.ValueKind == JsonValueKind.Object)
        {
            if (tag.TryGetProperty("blockHash", out var h)) return _chain.GetBlock(ParseHash(h, "blockHash")) ?? throw new RpcException(RpcException.ServerError, "header not found");
            if (tag.TryGetProperty("blockNumber", out var n)) return BlockByTag(n);
            throw RpcException.Params("invalid block: blockNumber or blockHash expected");
        }
        if (tag.ValueKind != JsonValueKind.String) throw RpcException.Params("invalid argument: block number or tag expected");
        return tag.GetString() switch
        {
            "latest" or "pending" or "safe" or "finalized" => Head(),
            "earliest" => _chain.GetBlock(0),
            _ => _chain.GetBlock(ParseU64(tag, "block")),
        };
    }

    /// <summary>The state after the block named by parameter <paramref name="index"/> (latest when absent); old roots stay readable.</summary>
    private EvmStateStore StateAt(JsonElement p, int index)
    {
        if (!TryOptional(p, index, out var tag)) return _chain.LatestState();
        var block = BlockByTag(tag) ?? throw new RpcException(RpcException.ServerError, "header not found");
        return new EvmStateStore(_chain.State, block.StateRoot);
    }

    private string TransactionCount(JsonElement p)
    {
        PrunePending();
        var address = ParseAddress(Param(p, 0, "address"), "address");
        ulong nonce = StateAt(p, 1).TryGetAccount(address, out var a) ? a.Nonce : 0;
        if (TryOptional(p, 1, out var tag) && tag.ValueKind == JsonValueKind.String && tag.GetString() == "pending"
            && _pending.NextNonce(address) is { } next && next > nonce)
            nonce = next;
        return Quantity(nonce);
    }

    private string GetCode(JsonElement p)
    {
        var state = StateAt(p, 1);
        return Data(state.TryGetAccount(ParseAddress(Param(p, 0, "address"), "address"), out var a) ? state.GetCode(a.CodeHash) : []);
    }

    private string GetStorageAt(JsonElement p)
    {
        var address = ParseAddress(Param(p, 0, "address"), "address");
        var slot = ParseQuantity(Param(p, 1, "slot"), "slot");
        if (slot.GetBitLength() > 256) throw RpcException.Params("invalid argument slot: more than 32 bytes");
        return Data(StateAt(p, 2).GetStorage(address, UInt256.FromBigInteger(slot)).ToBigEndian());
    }

    /// <summary>EIP-1186, answered like geth: proofs under the state root of the block asked for (latest when absent).</summary>
    private JsonObject GetProof(JsonElement p)
    {
        var address = ParseAddress(Param(p, 0, "address"), "address");
        var keysParam = Param(p, 1, "storageKeys");
        if (keysParam.ValueKind != JsonValueKind.Array) throw RpcException.Params("invalid argument 1: storageKeys must be an array of hex strings");
        var slots = new List<UInt256>(keysParam.GetArrayLength());
        var outputKeys = new List<string>(slots.Capacity);
        foreach (var key in keysParam.EnumerateArray())
        {
            var (slot, length) = ParseStorageKey(key);
            slots.Add(slot);
            // geth: a 32-byte key comes back as given (as data), a shorter one as a quantity.
            outputKeys.Add(length == 32 ? Data(slot.ToBigEndian()) : Quantity(slot));
        }
        var proof = StateAt(p, 2).Prove(address, slots);
        var storage = new JsonArray();
        for (int i = 0; i < slots.Count; i++)
        {
            var entry = proof.Storage[i];
            storage.Add(new JsonObject { ["key"] = outputKeys[i], ["value"] = Quantity(entry.Value), ["proof"] = Nodes(entry.Nodes) });
        }
        // An absent account is reported as EIP-1186 describes it: no nonce or balance, empty code and storage.
        var account = proof.Account ?? new AccountState(0, UInt256.Zero, AccountState.EmptyCodeHash);
        return new JsonObject
        {
            ["address"] = address.ToString(),
            ["accountProof"] = Nodes(proof.AccountNodes),
            ["balance"] = Quantity(account.Balance),
            ["codeHash"] = account.CodeHash.ToString(),
            ["nonce"] = Quantity(account.Nonce),
            ["storageHash"] = proof.StorageRoot.ToString(),
            ["storageProof"] = storage,
        };

        static JsonArray Nodes(IReadOnlyList<byte[]> nodes)
        {
            var array = new JsonArray();
            foreach (var node in nodes) array.Add(Data(node));
            return array;
        }
    }

    /// <summary>A storage key as geth's decodeHash reads it: hex with or without 0x, at most 32 bytes, an odd digit count allowed.</summary>
    private static (UInt256 Slot, int Length) ParseStorageKey(JsonElement key)
    {
        if (key.ValueKind != JsonValueKind.String) throw RpcException.Params("invalid argument 1: storage keys must be hex strings");
        var text = key.GetString()!;
        var digits = text.StartsWith("0x", StringComparison.OrdinalIgnoreCase) ? text[2..] : text;
        if (digits.Length % 2 == 1) digits = "0" + digits;
        if (digits.Length > 64) throw RpcException.Params($"invalid argument 1: hex string too long, want at most 32 bytes: {text}");
        byte[] bytes;
        try { bytes = Convert.FromHexString(digits); }
        catch (FormatException) { throw RpcException.Params($"invalid argument 1: invalid hex string: {text}"); }
        Span<byte> word = stackalloc byte[32];
        bytes.CopyTo(word[(32 - bytes.Length)..]);
        return (new UInt256(word), bytes.Length);
    }

    private JsonObject FeeHistory(JsonElement p)
    {
        ulong count = Math.Clamp(ParseBlockCount(Param(p, 0, "blockCount")), 1, 1024);
        var newest = BlockByTag(Param(p, 1, "newestBlock")) ?? Head();
        ulong oldest = newest.Number + 1 >= count ? newest.Number + 1 - count : 0;
        var percentiles = TryOptional(p, 2, out var pe) && pe.ValueKind == JsonValueKind.Array ? pe.GetArrayLength() : 0;
        var baseFees = new JsonArray();
        var ratios = new JsonArray();
        var rewards = new JsonArray();
        for (ulong n = oldest; n <= newest.Number; n++)
        {
            var b = _chain.GetBlock(n);
            baseFees.Add(Quantity(_vm.BaseFee));
            ratios.Add(b is null ? 0.0 : (double)b.GasUsed / b.GasLimit);
            rewards.Add(new JsonArray(Enumerable.Range(0, percentiles).Select(_ => (JsonNode?)Quantity(PriorityFee)).ToArray()));
        }
        baseFees.Add(Quantity(_vm.BaseFee));
        var result = new JsonObject { ["oldestBlock"] = Quantity(oldest), ["baseFeePerGas"] = baseFees, ["gasUsedRatio"] = ratios };
        if (percentiles > 0) result["reward"] = rewards;
        return result;
    }

    private static ulong ParseBlockCount(JsonElement e) => e.ValueKind == JsonValueKind.Number && e.TryGetUInt64(out var n) ? n : ParseU64(e, "blockCount");

    // ---------------- calls ----------------

    private EvmTransaction ParseCall(JsonElement call, out bool zeroBaseFee)
    {
        if (call.ValueKind != JsonValueKind.Object) throw RpcException.Params("invalid argument 0: transaction object expected");
        UInt256 U(string name) => call.TryGetProperty(name, out var v) && v.ValueKind != JsonValueKind.Null ? Checked(ParseQuantity(v, name), name) : UInt256.Zero;
        var gasPrice = U("gasPrice");
        var maxFee = U("maxFeePerGas");
        var tip = U("maxPriorityFeePerGas");
        zeroBaseFee = gasPrice.IsZero && maxFee.IsZero && tip.IsZero;
        byte[] data = call.TryGetProperty("input", out var input) && input.ValueKind != JsonValueKind.Null ? ParseData(input, "input")
            : call.TryGetProperty("data", out var d) && d.ValueKind != JsonValueKind.Null ? ParseData(d, "data") : [];
        long gas = call.TryGetProperty("gas", out var g) && g.ValueKind != JsonValueKind.Null
            ? (long)Math.Min(ParseU64(g, "gas"), (ulong)_vm.BlockGasLimit) : _vm.BlockGasLimit;
        bool dynamic = !maxFee.IsZero || !tip.IsZero;
        var accessList = call.TryGetProperty("accessList", out var al) && al.ValueKind != JsonValueKind.Null ? ParseAccessList(al) : [];
        return new EvmTransaction
        {
            Type = dynamic ? (byte)2 : accessList.Count > 0 ? (byte)1 : (byte)0,
            AccessList = accessList,
            Sender = call.TryGetProperty("from", out var f) && f.ValueKind != JsonValueKind.Null ? ParseAddress(f, "from") : Address.Zero,
            To = call.TryGetProperty("to", out var t) && t.ValueKind != JsonValueKind.Null ? ParseAddress(t, "to") : null,
            GasLimit = gas,
            GasPrice = gasPrice,
            MaxFeePerGas = dynamic && maxFee.IsZero ? _vm.BaseFee + tip : maxFee,
            MaxPriorityFeePerGas = tip,
            Value = U("value"),
            Data = data,
        };
    }

    private static List<AccessListEntry> ParseAccessList(JsonElement list)
    {
        if (list.ValueKind != JsonValueKind.Array) throw RpcException.Params("invalid argument 0: accessList must be an array");
        var entries = new List<AccessListEntry>();
        foreach (var item in list.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Object || !item.TryGetProperty("address", out var address))
                throw RpcException.Params("invalid argument 0: accessList entries need an address");
            var keys = new List<UInt256>();
            if (item.TryGetProperty("storageKeys", out var storageKeys) && storageKeys.ValueKind != JsonValueKind.Null)
            {
                if (storageKeys.ValueKind != JsonValueKind.Array) throw RpcException.Params("invalid argument 0: storageKeys must be an array");
                foreach (var key in storageKeys.EnumerateArray()) keys.Add(new UInt256(ParseHash(key, "storageKeys").ToArray()));
            }
            entries.Add(new AccessListEntry(ParseAddress(address, "address"), keys));
        }
        return entries;
    }

    /// <summary>eth_createAccessList(call, block, stateOverrides): geth's answer, <c>{accessList, error?, gasUsed}</c>; gasUsed
    /// counts the list itself.</summary>
    private JsonObject CreateAccessList(JsonElement p)
    {
        var tx = ParseCall(Param(p, 0, "transaction"), out bool zeroBaseFee);
        var (state, head) = CallState(p);
        TryOptional(p, 2, out var stateOverrides);
        var (list, result) = EvmCallRunner.AccessList(Overridden(state, stateOverrides), EvmCallRunner.Context(_vm, head, _chain, zeroBaseFee), tx);
        if (!result.IsValid) throw new RpcException(RpcException.ServerError, GethMessage(result));
        var entries = new JsonArray();
        foreach (var entry in list)
        {
            var keys = new JsonArray();
            foreach (var key in entry.StorageKeys) keys.Add(Data(key.ToBigEndian()));
            entries.Add(new JsonObject { ["address"] = entry.Address.ToString(), ["storageKeys"] = keys });
        }
        var json = new JsonObject { ["accessList"] = entries };
        if (!result.Success) json["error"] = result.Output.Length > 0 || result.GasUsed < tx.GasLimit ? "execution reverted" : "out of gas";
        json["gasUsed"] = Quantity(result.GasUsed);
        return json;
    }

    private static UInt256 Checked(BigInteger v, string name)
        => v.GetBitLength() <= 256 ? UInt256.FromBigInteger(v) : throw RpcException.Params($"invalid argument {name}: more than 256 bits");

    private string Call(JsonElement p)
    {
        var tx = ParseCall(Param(p, 0, "transaction"), out bool zeroBaseFee);
        var (state, head) = CallState(p);
        TryOptional(p, 2, out var stateOverrides);
        TryOptional(p, 3, out var blockOverrides);
        var context = WithBlockOverrides(EvmCallRunner.Context(_vm, head, _chain, zeroBaseFee), blockOverrides);
        var result = EvmCallRunner.Run(Overridden(state, stateOverrides), context, tx);
        ThrowIfFailed(result);
        return Data(result.Output);
    }

    private string EstimateGas(JsonElement p)
    {
        var call = Param(p, 0, "transaction");
        var tx = ParseCall(call, out bool zeroBaseFee);
        var (state, head) = CallState(p);
        TryOptional(p, 2, out var stateOverrides);
        long cap = tx.GasLimit;
        var (gas, failure) = EvmCallRunner.Estimate(Overridden(state, stateOverrides), EvmCallRunner.Context(_vm, head, _chain, zeroBaseFee), tx, cap);
        if (failure is not null) ThrowIfFailed(failure, estimating: true);
        return Quantity(gas);
    }

    /// <summary>The state a call runs on: committed state, seen through geth's state override set when one is given.</summary>
    private static IStateBackend Overridden(IStateBackend state, JsonElement overrides)
        => overrides.ValueKind is JsonValueKind.Undefined or JsonValueKind.Null ? state : new OverriddenState(state, OverriddenState.Parse(overrides, "stateOverrides"));

    /// <summary>geth's block overrides for calls: number, time, gasLimit, feeRecipient, prevRandao, baseFeePerGas.</summary>
    private static BlockContext WithBlockOverrides(BlockContext context, JsonElement overrides)
    {
        if (overrides.ValueKind is JsonValueKind.Undefined or JsonValueKind.Null) return context;
        if (overrides.ValueKind != JsonValueKind.Object) throw RpcException.Params("invalid argument: block overrides object expected");
        foreach (var field in overrides.EnumerateObject())
        {
            var v = field.Value;
            if (v.ValueKind == JsonValueKind.Null) continue;
            context = field.Name switch
            {
                "number" => context with { Number = ParseU64(v, "number") },
                "time" => context with { Timestamp = ParseU64(v, "time") },
                "gasLimit" => context with { GasLimit = (long)Math.Min(ParseU64(v, "gasLimit"), long.MaxValue) },
                "feeRecipient" => context with { Coinbase = ParseAddress(v, "feeRecipient") },
                "prevRandao" => context with { PrevRandao = new UInt256(ParseHash(v, "prevRandao").ToArray()) },
                "baseFeePerGas" => context with { BaseFee = Checked(ParseQuantity(v, "baseFeePerGas"), "baseFeePerGas") },
                _ => throw RpcException.Params($"invalid argument: block override {field.Name} is not supported (number, time, gasLimit, feeRecipient, prevRandao, baseFeePerGas are)"),
            };
        }
        return context;
    }

    private (EvmStateStore State, EvmBlock Head) CallState(JsonElement p)
    {
        if (!TryOptional(p, 1, out var tag)) return (_chain.LatestState(), Head());
        var block = BlockByTag(tag) ?? throw new RpcException(RpcException.ServerError, "header not found");
        return (new EvmStateStore(_chain.State, block.StateRoot), block);
    }

    private static void ThrowIfFailed(TransactionResult result, bool estimating = false)
    {
        if (!result.IsValid) throw new RpcException(RpcException.ServerError, GethMessage(result));
        if (result.Success) return;
        if (result.Output.Length == 0 && estimating) throw new RpcException(RpcException.ServerError, "gas required exceeds allowance (" + result.GasUsed + ")");
        string message = "execution reverted";
        if (SolidityRevert.ErrorMessage(result.Output) is { } reason) message += ": " + reason;
        throw new RpcException(RpcException.ExecutionReverted, message, Data(result.Output));
    }

    private static string GethMessage(TransactionResult result) => result.Error switch
    {
        Execution.TransactionError.InsufficientFunds => "insufficient funds for gas * price + value",
        Execution.TransactionError.IntrinsicGasTooLow => "intrinsic gas too low",
        Execution.TransactionError.MaxFeeBelowBaseFee => "max fee per gas less than block base fee",
        Execution.TransactionError.GasLimitAboveBlock => "exceeds block gas limit",
        _ => result.ErrorMessage ?? "invalid transaction",
    };

    // ---------------- tracing ----------------

    private JsonNode TraceTransaction(JsonElement p)
    {
        var hash = ParseHash(Param(p, 0, "hash"), "hash");
        var newTracer = TracerFactory(p, 1);
        var receipt = _chain.GetReceipt(hash) ?? throw new RpcException(RpcException.ServerError, "transaction not found");
        var block = _chain.GetBlock(receipt.BlockNumber) ?? throw new RpcException(RpcException.ServerError, $"block #{receipt.BlockNumber} not found");
        int index = (int)receipt.Index;
        var traced = EvmTraceRunner.TraceBlock(_chain, _vm, block, i => i == index, newTracer);
        return traced[0].Result;
    }

    private JsonArray TraceBlock(EvmBlock block, JsonElement p)
    {
        var newTracer = TracerFactory(p, 1);
        if (block.Number == 0) throw new RpcException(RpcException.ServerError, "genesis is not traceable");
        var results = new JsonArray();
        foreach (var traced in EvmTraceRunner.TraceBlock(_chain, _vm, block, _ => true, newTracer))
            results.Add(new JsonObject { ["txHash"] = traced.Hash.ToString(), ["result"] = traced.Result });
        return results;
    }

    private JsonNode TraceCall(JsonElement p)
    {
        var tx = ParseCall(Param(p, 0, "transaction"), out bool zeroBaseFee);
        var tracer = TracerFactory(p, 2)();
        var (state, head) = CallState(p);
        // geth's TraceCallConfig carries the call's overrides beside the tracer.
        JsonElement stateOverrides = default, blockOverrides = default;
        if (TryOptional(p, 2, out var config))
        {
            config.TryGetProperty("stateOverrides", out stateOverrides);
            config.TryGetProperty("blockOverrides", out blockOverrides);
        }
        var context = WithBlockOverrides(EvmCallRunner.Context(_vm, head, _chain, zeroBaseFee), blockOverrides);
        var result = EvmCallRunner.Trace(Overridden(state, stateOverrides), context, tx, tracer);
        // A reverted call is a trace like any other; only a transaction that could not run at all is an error.
        if (!result.IsValid || tracer.Result() is not { } json) throw new RpcException(RpcException.ServerError, GethMessage(result));
        return json;
    }

    /// <summary>What one struct-logger request may capture before it is refused: a 30M-gas loop, or a block full of
    /// transactions, would otherwise log millions of entries and take the node's memory with it (geth bounds it with a
    /// timeout instead).</summary>
    private const long StructLogBytes = 64L << 20;

    /// <summary>Reads the trace config (parameter <paramref name="index"/>): geth's default struct logger (enableMemory,
    /// disableStack, disableStorage, enableReturnData, limit), callTracer (onlyTopCall, withLog) or prestateTracer
    /// (diffMode, disableCode, disableStorage).</summary>
    private static Func<TransactionTrace> TracerFactory(JsonElement p, int index)
    {
        JsonElement tracerName = default;
        if (TryOptional(p, index, out var config))
        {
            if (config.ValueKind != JsonValueKind.Object) throw RpcException.Params($"invalid argument {index}: trace config object expected");
            config.TryGetProperty("tracer", out tracerName);
        }
        if (tracerName.ValueKind is JsonValueKind.Undefined or JsonValueKind.Null
            || (tracerName.ValueKind == JsonValueKind.String && tracerName.GetString() is "" or "structLogger"))
        {
            // geth's default: its options sit in the config object itself.
            var logOptions = new StructLoggerOptions(
                EnableMemory: Flag(config, "enableMemory"), DisableStack: Flag(config, "disableStack"),
                DisableStorage: Flag(config, "disableStorage"), EnableReturnData: Flag(config, "enableReturnData"),
                Limit: Limit(config));
            // One budget for the request: a block's transactions share it.
            var budget = new StructLogBudget(StructLogBytes);
            return () => new TransactionTrace.Steps(new StructLogger(logOptions, budget: budget), budget);
        }
        if (tracerName.ValueKind != JsonValueKind.String) throw RpcException.Params($"invalid argument {index}: tracer must be a string");
        var options = config.TryGetProperty("tracerConfig", out var o) && o.ValueKind != JsonValueKind.Null ? o : default;
        if (options.ValueKind is not (JsonValueKind.Undefined or JsonValueKind.Object))
            throw RpcException.Params($"invalid argument {index}: tracerConfig object expected");
        switch (tracerName.GetString())
        {
            case "callTracer":
                {
                    bool onlyTopCall = Flag(options, "onlyTopCall"), withLog = Flag(options, "withLog");
                    return () => new TransactionTrace.Calls(new CallTracer(onlyTopCall, withLog));
                }
            case "prestateTracer":
                {
                    bool diffMode = Flag(options, "diffMode"), disableCode = Flag(options, "disableCode"), disableStorage = Flag(options, "disableStorage");
                    return () => new TransactionTrace.Prestate(new PrestateTracer(diffMode, disableCode, disableStorage));
                }
            default:
                throw RpcException.Params($"tracer not found: {tracerName.GetString()} is not supported (supported: callTracer, prestateTracer)");
        }

        static bool Flag(JsonElement options, string name)
        {
            if (options.ValueKind != JsonValueKind.Object || !options.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null) return false;
            return v.ValueKind switch
            {
                JsonValueKind.True => true,
                JsonValueKind.False => false,
                _ => throw RpcException.Params($"invalid argument: {name} must be a boolean"),
            };
        }

        static int Limit(JsonElement config)
        {
            if (config.ValueKind != JsonValueKind.Object || !config.TryGetProperty("limit", out var v) || v.ValueKind == JsonValueKind.Null) return 0;
            if (v.ValueKind != JsonValueKind.Number || !v.TryGetInt32(out int limit) || limit < 0)
                throw RpcException.Params("invalid argument: limit must be a non-negative integer");
            return limit;
        }
    }

    // ---------------- txpool ----------------

    /// <summary>geth's txpool_status: transactions on their way into a block (pending) and ones waiting for a lower nonce (queued).</summary>
    private JsonObject TxPoolStatus()
    {
        PrunePending();
        int queued;
        lock (_admission) queued = _queued.Count;
        return new JsonObject { ["pending"] = Quantity((ulong)_pending.Count), ["queued"] = Quantity((ulong)queued) };
    }

    /// <summary>geth's txpool_content: <c>{pending: {sender: {nonce: tx}}, queued: {...}}</c>, senders and nonces in order.</summary>
    private JsonObject TxPoolContent()
    {
        PrunePending();
        List<SignedTransaction> queued;
        lock (_admission) queued = _queued.Snapshot();
        return new JsonObject { ["pending"] = BySender(_pending.Snapshot()), ["queued"] = BySender(queued) };

        JsonObject BySender(List<SignedTransaction> txs)
        {
            var json = new JsonObject();
            foreach (var group in txs.GroupBy(t => t.Sender).OrderBy(g => g.Key))
            {
                var nonces = new JsonObject();
                foreach (var tx in group.OrderBy(t => t.Nonce))
                    nonces[tx.Nonce.ToString(System.Globalization.CultureInfo.InvariantCulture)] = TransactionJson(tx, null);
                json[group.Key.ToString()] = nonces;
            }
            return json;
        }
    }

    // ---------------- sending ----------------

    private string SendRawTransaction(JsonElement p)
    {
        var raw = ParseData(Param(p, 0, "data"), "data");
        if (raw.Length > _options.MaxTransactionBytes) throw new RpcException(RpcException.ServerError, "oversized data");
        if (!TransactionDecoder.TryDecode(raw, _vm.ChainId, out var tx, out var failure))
            throw new RpcException(failure.Error == Transactions.TransactionError.Rlp ? RpcException.InvalidParams : RpcException.ServerError, failure.Message);
        PrunePending();
        lock (_admission)
        {
            if (_chain.GetReceipt(tx.Hash) is not null || _pending.Contains(tx.Hash) || _queued.Contains(tx.Hash)) throw new RpcException(RpcException.ServerError, "already known");
            var state = _chain.LatestState();
            state.TryGetAccount(tx.Sender, out var account);
            if (tx.Nonce < account.Nonce) throw new RpcException(RpcException.ServerError, $"nonce too low: next nonce {account.Nonce}, tx nonce {tx.Nonce}");
            if ((_pending.WithNonce(tx.Sender, tx.Nonce) ?? _queued.WithNonce(tx.Sender, tx.Nonce)) is { } queued)
            {
                // geth replaces a pending transaction only for a 10% higher price; here the first one may already be on its
                // way into a base-layer block, so even a well-priced replacement cannot be honoured.
                if (tx.MaxPricePerGas * 10 < queued.MaxPricePerGas * 11) throw new RpcException(RpcException.ServerError, "replacement transaction underpriced");
                throw new RpcException(RpcException.ServerError, $"replacement not supported: nonce {tx.Nonce} of {tx.Sender} is already queued for a block ({queued.Hash})");
            }
            CheckSendable(tx, account);
            ulong expected = Math.Max(account.Nonce, _pending.NextNonce(tx.Sender) ?? 0);
            if (tx.Nonce > expected)
            {
                // A gap: hold it (geth's queued pool) until the lower nonces arrive; the VM would reject it at execution.
                if (tx.Nonce - expected > MaxNonceGap) throw new RpcException(RpcException.ServerError, $"nonce too high: next nonce {expected}, tx nonce {tx.Nonce} (at most {MaxNonceGap} ahead)");
                if (_queued.TryAdd(tx, raw) is { } full) throw new RpcException(RpcException.ServerError, full);
                return tx.Hash.ToString();
            }
            _pending.Add(tx);
            _submit(raw, tx.Hash);
            // The gap before queued transactions may now be closed: send them in nonce order.
            for (ulong next = tx.Nonce + 1; _queued.TakeNext(tx.Sender, next) is { } ready; next++)
            {
                _pending.Add(ready.Tx);
                _submit(ready.Raw, ready.Tx.Hash);
            }
        }
        return tx.Hash.ToString();
    }

    /// <summary>Most nonces a transaction may run ahead of its sender's next one, and queue bounds (geth: 64 per account).</summary>
    private const ulong MaxNonceGap = 64;

    private void CheckSendable(SignedTransaction tx, in AccountState account)
    {
        if (account.CodeHash != default && account.CodeHash != AccountState.EmptyCodeHash) throw new RpcException(RpcException.ServerError, "sender not an eoa");
        if (tx.GasLimit > (ulong)_vm.BlockGasLimit) throw new RpcException(RpcException.ServerError, "exceeds block gas limit");
        if (tx.MaxPricePerGas < _vm.BaseFee.ToBigInteger())
            throw new RpcException(RpcException.ServerError, $"max fee per gas less than block base fee: maxFeePerGas: {tx.MaxPricePerGas}, baseFee: {_vm.BaseFee}");
        var cost = tx.MaxPricePerGas * tx.GasLimit + tx.Value;
        if (account.Balance.ToBigInteger() < cost)
            throw new RpcException(RpcException.ServerError, $"insufficient funds for gas * price + value: balance {account.Balance}, tx cost {cost}");
    }

    /// <summary>Forgets pending transactions the VM has executed or rejected.</summary>
    internal void PrunePending()
    {
        if (_pending.Count == 0) return;
        // Only a new VM block can settle a pending transaction; checking every pending one on every call made
        // admission O(pending). Look at what the new blocks executed instead.
        ulong head = _chain.Head ?? 0;
        ulong last = Interlocked.Exchange(ref _prunedAtHead, head);
        if (last == head) return;
        if (last > head || head - last > 64)
        {
            _pending.Prune(h => _chain.GetReceipt(h) is not null || _chain.GetRejection(h) is not null);
            return;
        }
        var executed = new List<Hash32>();
        for (ulong n = last + 1; n <= head; n++)
            if (_chain.GetBlock(n) is { } block) executed.AddRange(block.TransactionHashes);
        _pending.PruneExecuted(executed, h => _chain.GetRejection(h) is not null);
    }

    private ulong _prunedAtHead = ulong.MaxValue;

    internal void Dropped(IReadOnlyList<Hash32> hashes) => _pending.Remove(hashes);

    // ---------------- reads ----------------

    private JsonObject? TransactionByHash(in Hash32 hash)
    {
        if (_chain.GetReceipt(hash) is { } receipt) return TransactionJson(receipt);
        PrunePending();
        if (_pending.Get(hash) is { } pending) return TransactionJson(pending, null);
        lock (_admission) return _queued.Get(hash) is { } queued ? TransactionJson(queued, null) : null;
    }

    private JsonObject? TransactionInBlock(EvmBlock? block, JsonElement index)
    {
        ulong i = ParseU64(index, "index");
        if (block is null || i >= (ulong)block.TransactionHashes.Count) return null;
        return _chain.GetReceipt(block.TransactionHashes[(int)i]) is { } r ? TransactionJson(r) : null;
    }

    private JsonObject? TransactionJson(EvmReceipt receipt)
        => TransactionDecoder.TryDecode(receipt.RawTransaction, _vm.ChainId, out var tx, out _) ? TransactionJson(tx, receipt) : null;

    private JsonObject TransactionJson(SignedTransaction tx, EvmReceipt? receipt)
    {
        var json = new JsonObject
        {
            ["hash"] = tx.Hash.ToString(),
            ["type"] = Quantity((ulong)tx.Type),
            ["nonce"] = Quantity(tx.Nonce),
            ["blockHash"] = receipt?.BlockHash.ToString(),
            ["blockNumber"] = receipt is null ? null : Quantity(receipt.BlockNumber),
            ["transactionIndex"] = receipt is null ? null : Quantity((ulong)receipt.Index),
            ["from"] = tx.Sender.ToString(),
            ["to"] = tx.To?.ToString(),
            ["value"] = Quantity(tx.Value),
            ["gas"] = Quantity(tx.GasLimit),
            ["gasPrice"] = Quantity(receipt?.EffectiveGasPrice.ToBigInteger() ?? tx.MaxPricePerGas),
            ["input"] = Data(tx.Data),
            ["v"] = Quantity(tx.V),
            ["r"] = Quantity(tx.R),
            ["s"] = Quantity(tx.S),
        };
        if (tx.ChainId is { } chainId) json["chainId"] = Quantity(chainId);
        if (tx.Type != EthereumTransactionType.Legacy)
        {
            json["yParity"] = Quantity((ulong)tx.YParity);
            json["accessList"] = new JsonArray(tx.AccessList.Select(a => (JsonNode?)new JsonObject
            {
                ["address"] = a.Address.ToString(),
                ["storageKeys"] = new JsonArray(a.StorageKeys.Select(k => (JsonNode?)k.ToString()).ToArray()),
            }).ToArray());
        }
        if (tx.Type == EthereumTransactionType.DynamicFee)
        {
            json["maxFeePerGas"] = Quantity(tx.MaxFeePerGas);
            json["maxPriorityFeePerGas"] = Quantity(tx.MaxPriorityFeePerGas);
        }
        return json;
    }

    private JsonObject? Receipt(in Hash32 hash)
    {
        if (_chain.GetReceipt(hash) is not { } r) return null;
        return new JsonObject
        {
            ["transactionHash"] = r.TransactionHash.ToString(),
            ["transactionIndex"] = Quantity((ulong)r.Index),
            ["blockHash"] = r.BlockHash.ToString(),
            ["blockNumber"] = Quantity(r.BlockNumber),
            ["from"] = r.From.ToString(),
            ["to"] = r.To?.ToString(),
            ["cumulativeGasUsed"] = Quantity(r.CumulativeGasUsed),
            ["gasUsed"] = Quantity(r.GasUsed),
            ["effectiveGasPrice"] = Quantity(r.EffectiveGasPrice),
            ["contractAddress"] = r.ContractAddress?.ToString(),
            ["logs"] = new JsonArray(r.Logs.Select((l, i) => (JsonNode?)LogJson(new EvmLog(l, r.BlockNumber, r.BlockHash, r.TransactionHash, r.Index, r.FirstLogIndex + (uint)i))).ToArray()),
            ["logsBloom"] = Data(LogsBloom.Compute(r.Logs)),
            ["type"] = Quantity((ulong)r.Type),
            ["status"] = r.Success ? "0x1" : "0x0",
        };
    }

    private static JsonObject LogJson(EvmLog log) => new()
    {
        ["address"] = log.Log.Address.ToString(),
        ["topics"] = new JsonArray(log.Log.Topics.Select(t => (JsonNode?)t.ToString()).ToArray()),
        ["data"] = Data(log.Log.Data),
        ["blockNumber"] = Quantity(log.BlockNumber),
        ["blockHash"] = log.BlockHash.ToString(),
        ["transactionHash"] = log.TransactionHash.ToString(),
        ["transactionIndex"] = Quantity((ulong)log.TransactionIndex),
        ["logIndex"] = Quantity((ulong)log.LogIndex),
        ["removed"] = false,
    };

    internal JsonObject? BlockJson(EvmBlock? block, bool full)
    {
        if (block is null) return null;
        var txs = new JsonArray();
        foreach (var hash in block.TransactionHashes)
        {
            if (!full) txs.Add(hash.ToString());
            else if (_chain.GetReceipt(hash) is { } r && TransactionJson(r) is { } t) txs.Add(t);
        }
        return new JsonObject
        {
            ["number"] = Quantity(block.Number),
            ["hash"] = block.Hash.ToString(),
            ["parentHash"] = block.ParentHash.ToString(),
            ["nonce"] = "0x0000000000000000",
            ["sha3Uncles"] = EmptyUnclesHash,
            ["logsBloom"] = Data(block.LogsBloom),
            ["transactionsRoot"] = block.TransactionsRoot.ToString(),
            ["stateRoot"] = block.StateRoot.ToString(),
            ["receiptsRoot"] = block.ReceiptsRoot.ToString(),
            ["miner"] = _vm.Coinbase.ToString(),
            ["difficulty"] = "0x0",
            ["totalDifficulty"] = "0x0",
            ["extraData"] = "0x",
            ["size"] = Quantity((ulong)block.Encode().Length),
            ["gasLimit"] = Quantity(block.GasLimit),
            ["gasUsed"] = Quantity(block.GasUsed),
            ["timestamp"] = Quantity(block.Timestamp),
            ["mixHash"] = block.PwrBlockHash.ToString(),
            ["baseFeePerGas"] = Quantity(block.BaseFee),
            ["transactions"] = txs,
            ["uncles"] = new JsonArray(),
        };
    }

    private JsonArray GetLogs(JsonElement filter) => LogsJson(ParseLogFilter(filter), null);

    internal static LogFilter ParseLogFilter(JsonElement filter)
    {
        if (filter.ValueKind != JsonValueKind.Object) throw RpcException.Params("invalid argument 0: filter object expected");
        Hash32? blockHash = filter.TryGetProperty("blockHash", out var bh) && bh.ValueKind != JsonValueKind.Null ? ParseHash(bh, "blockHash") : null;
        string? from = filter.TryGetProperty("fromBlock", out var f) && f.ValueKind != JsonValueKind.Null ? Tag(f) : null;
        string? to = filter.TryGetProperty("toBlock", out var t) && t.ValueKind != JsonValueKind.Null ? Tag(t) : null;
        if (blockHash is not null && (from is not null || to is not null)) throw RpcException.Params("invalid argument 0: cannot specify both blockHash and fromBlock/toBlock");
        var addresses = new List<Address>();
        if (filter.TryGetProperty("address", out var addr))
        {
            if (addr.ValueKind == JsonValueKind.Array) addresses.AddRange(addr.EnumerateArray().Select(a => ParseAddress(a, "address")));
            else if (addr.ValueKind != JsonValueKind.Null) addresses.Add(ParseAddress(addr, "address"));
        }
        var topics = new List<IReadOnlyList<Hash32>?>();
        if (filter.TryGetProperty("topics", out var tp) && tp.ValueKind == JsonValueKind.Array)
        {
            foreach (var position in tp.EnumerateArray())
            {
                if (position.ValueKind == JsonValueKind.Null) topics.Add(null);
                else if (position.ValueKind == JsonValueKind.Array) topics.Add(position.EnumerateArray().Select(x => ParseHash(x, "topic")).ToList());
                else topics.Add([ParseHash(position, "topic")]);
            }
        }
        else if (filter.TryGetProperty("topics", out tp) && tp.ValueKind != JsonValueKind.Null) throw RpcException.Params("invalid argument: topics must be an array");
        return new LogFilter(from, to, blockHash, addresses, topics);
    }

    private static string Tag(JsonElement e)
    {
        if (e.ValueKind != JsonValueKind.String) throw RpcException.Params("invalid argument: block number or tag expected");
        var s = e.GetString()!;
        if (s is not ("latest" or "pending" or "safe" or "finalized" or "earliest")) ParseU64(e, "block");
        return s;
    }

    /// <summary>The filter's logs; with <paramref name="after"/>, only those of blocks after it (a filter's changes).</summary>
    internal JsonArray LogsJson(LogFilter filter, ulong? after)
    {
        ulong head = Head().Number;
        ulong from, to;
        if (filter.BlockHash is { } hash)
        {
            var block = _chain.GetBlock(hash) ?? throw new RpcException(RpcException.ServerError, "unknown block");
            from = to = block.Number;
        }
        else
        {
            from = filter.FromBlock is { } f ? BlockNumberOf(f, head) : head;
            to = filter.ToBlock is { } t ? Math.Min(BlockNumberOf(t, head), head) : head;
        }
        // As geth: an explicit range that ends before it starts is an error, not an empty answer.
        if (after is null && filter.BlockHash is null && from > (filter.ToBlock is { } requested ? BlockNumberOf(requested, head) : head))
            throw new RpcException(RpcException.ServerError, "invalid block range params");
        if (after is { } last) from = Math.Max(from, last + 1);
        if (from > to) return [];
        if (to - from >= EvmChainReader.MaxLogBlockRange)
            throw new RpcException(RpcException.ServerError, $"query exceeds max block range {EvmChainReader.MaxLogBlockRange}");
        return new JsonArray(_chain.GetLogs(from, to, filter.Addresses, filter.Topics).Select(l => (JsonNode?)LogJson(l)).ToArray());
    }

    private static ulong BlockNumberOf(string tag, ulong head) => tag switch
    {
        "latest" or "pending" or "safe" or "finalized" => head,
        "earliest" => 0,
        _ => ulong.Parse(tag.AsSpan(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture),
    };

    // ---------------- filters ----------------

    private string NewFilter(JsonElement p)
    {
        var filter = ParseLogFilter(Param(p, 0, "filter"));
        return _filters.Install(RpcFilters.Kind.Logs, filter, Head().Number);
    }

    private JsonArray FilterChanges(JsonElement p)
    {
        var entry = FilterById(p);
        ulong head = Head().Number;
        lock (entry)
        {
            if (entry.Kind == RpcFilters.Kind.PendingTransactions)
            {
                // Its cursor counts transactions this wrapper accepted for a block (nonce gaps wait in the queue first).
                var (added, cursor) = _pending.AddedSince((long)entry.LastBlock);
                entry.LastBlock = (ulong)cursor;
                return new JsonArray([.. added.Select(h => (JsonNode)h.ToString())]);
            }
            ulong last = entry.LastBlock;
            entry.LastBlock = Math.Max(last, head);
            switch (entry.Kind)
            {
                case RpcFilters.Kind.Blocks:
                    var hashes = new JsonArray();
                    for (ulong n = last + 1; n <= head; n++) if (_chain.GetBlock(n) is { } b) hashes.Add(b.Hash.ToString());
                    return hashes;
                case RpcFilters.Kind.Logs:
                    return head > last ? LogsJson(entry.Logs!, last) : [];
                default:
                    return [];
            }
        }
    }

    private JsonArray FilterLogs(JsonElement p)
    {
        var entry = FilterById(p);
        if (entry.Kind != RpcFilters.Kind.Logs) throw new RpcException(RpcException.ServerError, "filter not found");
        return LogsJson(entry.Logs!, null);
    }

    private RpcFilters.Entry FilterById(JsonElement p)
    {
        var id = Param(p, 0, "id");
        if (id.ValueKind != JsonValueKind.String) throw RpcException.Params("invalid argument 0: filter id expected");
        return _filters.Get(id.GetString()!) ?? throw new RpcException(RpcException.ServerError, "filter not found");
    }

    private bool UninstallFilter(JsonElement p)
    {
        var id = Param(p, 0, "id");
        if (id.ValueKind != JsonValueKind.String) throw RpcException.Params("invalid argument 0: filter id expected");
        return _filters.Uninstall(id.GetString()!);
    }
}
