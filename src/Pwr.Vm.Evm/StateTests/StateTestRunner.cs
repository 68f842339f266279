using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Pwr.Core;
using Pwr.Vm.Evm.Execution;
using Pwr.Vm.Evm.Numerics;

namespace Pwr.Vm.Evm.StateTests;

/// <summary>Runs the Cancun cases of Ethereum GeneralStateTests JSON files: builds the pre-state, executes the one
/// transaction of each case and compares the state root and logs hash with the expected ones.</summary>
public static class StateTestRunner
{
    public const string Fork = "Cancun";

    /// <summary>All .json files under the given files or folders, in ordinal order.</summary>
    public static List<string> FindFiles(IEnumerable<string> paths)
    {
        var files = new List<string>();
        foreach (var path in paths)
        {
            if (Directory.Exists(path)) files.AddRange(Directory.EnumerateFiles(path, "*.json", SearchOption.AllDirectories));
            else if (File.Exists(path)) files.Add(path);
            else throw new FileNotFoundException($"no such file or folder: {path}", path);
        }
        files.Sort(StringComparer.Ordinal);
        return files;
    }

    /// <summary>Runs every file on <paramref name="threads"/> large-stack threads; results come back in file order.
    /// <paramref name="observer"/> attaches a struct logger to the cases it chooses (the opcode-by-opcode loop).</summary>
    public static List<StateTestCaseResult> RunFiles(IReadOnlyList<string> files, string? root = null, int threads = 0,
        Action<string, TimeSpan>? onFileDone = null, IReadOnlySet<string>? skip = null, StateTestObserver? observer = null)
    {
        if (threads <= 0) threads = Environment.ProcessorCount;
        var perFile = new List<StateTestCaseResult>[files.Count];
        int next = -1;
        var workers = new List<Thread>();
        var errors = new ConcurrentQueue<Exception>();
        for (int t = 0; t < Math.Min(threads, Math.Max(1, files.Count)); t++)
        {
            var worker = new Thread(() =>
            {
                int i;
                while ((i = Interlocked.Increment(ref next)) < files.Count)
                {
                    long start = System.Diagnostics.Stopwatch.GetTimestamp();
                    try { perFile[i] = RunFile(files[i], root, skip, observer); }
                    catch (Exception e) { errors.Enqueue(e); perFile[i] = []; }
                    onFileDone?.Invoke(files[i], System.Diagnostics.Stopwatch.GetElapsedTime(start));
                }
            }, EvmThread.StackSize);
            worker.Start();
            workers.Add(worker);
        }
        foreach (var w in workers) w.Join();
        if (!errors.IsEmpty) throw new AggregateException(errors);
        return perFile.SelectMany(r => r).ToList();
    }

    /// <summary>Runs the Cancun cases of one file on the current thread (which needs a large stack).</summary>
    /// <remarks>Cases named in <paramref name="skip"/> are not run and count as failed.</remarks>
    public static List<StateTestCaseResult> RunFile(string file, string? root = null, IReadOnlySet<string>? skip = null, StateTestObserver? observer = null)
    {
        string display = root is null ? Path.GetFileName(file) : Path.GetRelativePath(root, file).Replace('\\', '/');
        var results = new List<StateTestCaseResult>();
        using var doc = JsonDocument.Parse(File.ReadAllBytes(file));
        foreach (var test in doc.RootElement.EnumerateObject())
        {
            if (!test.Value.TryGetProperty("post", out var post) || !post.TryGetProperty(Fork, out var cases)) continue;
            int index = 0;
            foreach (var c in cases.EnumerateArray())
            {
                var idx = c.GetProperty("indexes");
                int d = idx.GetProperty("data").GetInt32(), g = idx.GetProperty("gas").GetInt32(), v = idx.GetProperty("value").GetInt32();
                string name = $"{display}:{test.Name}:d{d}g{g}v{v}";
                // A few tests repeat the same indexes with different expectations; keep names unique.
                if (results.Any(r => r.Name == name)) name += $"#{index}";
                StateTestCaseResult result;
                if (skip is not null && skip.Contains(name)) result = new StateTestCaseResult(name, false, "skipped");
                else try { result = RunCase(name, test.Value, c, d, g, v, observer); }
                catch (Exception e) when (e is FormatException or OverflowException or KeyNotFoundException or InvalidOperationException)
                {
                    result = new StateTestCaseResult(name, false, $"cannot run case: {e.Message}");
                }
                results.Add(result);
                index++;
            }
        }
        return results;
    }

    private static StateTestCaseResult RunCase(string name, JsonElement test, JsonElement expected, int d, int g, int v, StateTestObserver? observer)
    {
        var logger = observer?.LoggerFor(name);
        var (verdict, result, root) = Execute(name, test, expected, d, g, v, logger, observer?.Compile);
        if (logger is not null) observer!.CaseDone?.Invoke(new StateTestTrace(verdict, logger, result, root));
        return verdict;
    }

    private static (StateTestCaseResult Verdict, TransactionResult Result, Hash32 Root) Execute(string name, JsonElement test, JsonElement expected,
        int d, int g, int v, Tracing.StructLogger? logger, EvmCompilePolicy? compile)
    {
        var backend = new InMemoryStateBackend();
        foreach (var account in test.GetProperty("pre").EnumerateObject())
        {
            var a = account.Value;
            var storage = new List<KeyValuePair<UInt256, UInt256>>();
            if (a.TryGetProperty("storage", out var st))
                foreach (var slot in st.EnumerateObject())
                    storage.Add(new(UInt256.Parse(slot.Name), UInt256.Parse(slot.Value.GetString()!)));
            backend.SetAccount(Address.Parse(account.Name), Ulong(a.GetProperty("nonce")), U256(a.GetProperty("balance")),
                Bytes(a.GetProperty("code")), storage);
        }

        var env = test.GetProperty("env");
        var block = new BlockContext
        {
            Coinbase = Address.Parse(env.GetProperty("currentCoinbase").GetString()!),
            Number = Ulong(env.GetProperty("currentNumber")),
            Timestamp = Ulong(env.GetProperty("currentTimestamp")),
            GasLimit = Long(env.GetProperty("currentGasLimit")),
            BaseFee = env.TryGetProperty("currentBaseFee", out var bf) ? U256(bf) : default,
            PrevRandao = env.TryGetProperty("currentRandom", out var rnd) ? U256(rnd) : default,
            ExcessBlobGas = env.TryGetProperty("currentExcessBlobGas", out var ebg) ? Ulong(ebg) : 0,
            ChainId = 1,
            // The state-test convention for BLOCKHASH: keccak256 of the decimal block number.
            BlockHash = n => Keccak.Hash256(Encoding.ASCII.GetBytes(n.ToString(CultureInfo.InvariantCulture))),
        };

        bool expectsException = expected.TryGetProperty("expectException", out var ex);
        TransactionResult result;
        try
        {
            var tx = BuildTransaction(test.GetProperty("transaction"), d, g, v);
            var state = new WorldState(backend);
            var processor = new TransactionProcessor(state, block) { Steps = logger };
            if (compile is { } policy) processor.CompilePolicy = policy;
            result = processor.Execute(tx);
            if (result.IsValid) backend.Apply(state.CollectChanges());
        }
        catch (Exception e) when (expectsException && e is FormatException or OverflowException)
        {
            // A field that does not even fit its type (a value above 2^256) makes the transaction invalid.
            result = TransactionResult.Rejected(TransactionError.UnsupportedType, e.Message);
        }

        var expectedRoot = Hash32.Parse(expected.GetProperty("hash").GetString()!);
        var root = backend.ComputeStateRoot();
        if (expectsException && result.IsValid)
            return (new(name, false, $"expected exception {ex.GetString()} but the transaction was valid"), result, root);
        if (!expectsException && !result.IsValid)
            return (new(name, false, $"transaction rejected: {result.ErrorMessage}"), result, root);
        if (root != expectedRoot)
            return (new(name, false, $"state root {root} != expected {expectedRoot}"), result, root);
        if (!expectsException && expected.TryGetProperty("logs", out var logsElement))
        {
            var logs = LogsHash.Compute(result.Logs);
            var expectedLogs = Hash32.Parse(logsElement.GetString()!);
            if (logs != expectedLogs) return (new(name, false, $"logs hash {logs} != expected {expectedLogs}"), result, root);
        }
        return (new(name, true, null), result, root);
    }

    private static EvmTransaction BuildTransaction(JsonElement t, int d, int g, int v)
    {
        string to = t.TryGetProperty("to", out var toElement) ? toElement.GetString() ?? "" : "";
        IReadOnlyList<AccessListEntry> accessList = [];
        bool hasAccessList = false;
        if (t.TryGetProperty("accessLists", out var lists) && lists.ValueKind == JsonValueKind.Array && d < lists.GetArrayLength()
            && lists[d].ValueKind == JsonValueKind.Array)
        {
            hasAccessList = true;
            accessList = lists[d].EnumerateArray().Select(e => new AccessListEntry(
                Address.Parse(e.GetProperty("address").GetString()!),
                e.GetProperty("storageKeys").EnumerateArray().Select(k => UInt256.Parse(k.GetString()!)).ToArray())).ToArray();
        }
        var blobHashes = t.TryGetProperty("blobVersionedHashes", out var bh)
            ? bh.EnumerateArray().Select(h => Hash32.Parse(h.GetString()!)).ToArray()
            : [];
        bool dynamicFee = t.TryGetProperty("maxFeePerGas", out var maxFee);
        byte type = t.TryGetProperty("maxFeePerBlobGas", out _) || blobHashes.Length > 0 ? (byte)3
            : dynamicFee ? (byte)2 : hasAccessList ? (byte)1 : (byte)0;
        return new EvmTransaction
        {
            Type = type,
            Sender = Address.Parse(t.GetProperty("sender").GetString()!),
            To = to.Length == 0 ? null : Address.Parse(to),
            Nonce = Ulong(t.GetProperty("nonce")),
            GasLimit = Long(t.GetProperty("gasLimit")[g]),
            GasPrice = t.TryGetProperty("gasPrice", out var gp) ? U256(gp) : default,
            MaxFeePerGas = dynamicFee ? U256(maxFee) : default,
            MaxPriorityFeePerGas = t.TryGetProperty("maxPriorityFeePerGas", out var tip) ? U256(tip) : default,
            Value = U256(t.GetProperty("value")[v]),
            Data = Bytes(t.GetProperty("data")[d]),
            AccessList = accessList,
            BlobVersionedHashes = blobHashes,
        };
    }

    private static UInt256 U256(JsonElement e) => UInt256.Parse(e.GetString()!);

    // Values that do not fit saturate, so validation rejects them instead of the parser throwing.
    private static ulong Ulong(JsonElement e) => U256(e).ToUlongSaturating();

    private static long Long(JsonElement e) => (long)Math.Min(U256(e).ToUlongSaturating(), long.MaxValue);

    private static byte[] Bytes(JsonElement e)
    {
        var s = e.GetString()!;
        return s is "" or "0x" ? [] : Hex.Decode(s);
    }
}

/// <summary>Which state-test cases run with a struct logger attached, and what to do with it once a case is done.</summary>
public sealed class StateTestObserver
{
    /// <summary>The logger for the case of this name, or null to run it untraced. Called on the runner's threads.</summary>
    public Func<string, Tracing.StructLogger?> LoggerFor { get; init; } = _ => null;
    /// <summary>When the EVM compiles code (null: the process default); <see cref="EvmCompilePolicy.Always"/> runs every
    /// case through the compiled tier.</summary>
    public EvmCompilePolicy? Compile { get; init; }
    public Action<StateTestTrace>? CaseDone { get; init; }
}

/// <summary>A traced case: its verdict, its logger, the transaction's result and the post-state root.</summary>
public sealed record StateTestTrace(StateTestCaseResult Verdict, Tracing.StructLogger Logger, TransactionResult Result, Hash32 Root);
