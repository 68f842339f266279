using System.Globalization;
using Pwr.Node;

namespace Pwr.Cli.Tests.Infrastructure;

/// <summary>
/// A multi-validator network of real `pwr node` processes on free loopback ports, built from `pwr init` output
/// (deterministic keys) with each config rewritten to its ports. For the fault tests: wait for a height on all,
/// compare blocks, kill -9 a validator and restart it on the same data.
/// </summary>
internal sealed class LocalnetProcesses : IAsyncDisposable
{
    public static readonly TimeSpan InitTimeout = TimeSpan.FromSeconds(60);
    public const int BlockTimeMs = 300;

    private readonly PwrProcess?[] _processes;

    private LocalnetProcesses(string dir, IReadOnlyList<string> configPaths, IReadOnlyList<NodeConfig> configs)
    {
        Dir = dir;
        ConfigPaths = configPaths;
        Configs = configs;
        Apis = configs.Select(c => new NodeApi($"http://127.0.0.1:{c.ApiPort}")).ToList();
        _processes = new PwrProcess?[configs.Count];
    }

    public string Dir { get; }
    public IReadOnlyList<string> ConfigPaths { get; }
    public IReadOnlyList<NodeConfig> Configs { get; }
    public IReadOnlyList<NodeApi> Apis { get; }
    public int Count => Configs.Count;
    public PwrProcess? Process(int i) => _processes[i];

    /// <summary>
    /// Runs `pwr init --validators N --deterministic-keys` into <paramref name="dir"/>, moves every node to free
    /// ports (peers and agreement URLs follow), and optionally changes each config (say, a fault flag) before start.
    /// </summary>
    public static async Task<LocalnetProcesses> InitAsync(string dir, int validators, Func<int, NodeConfig, NodeConfig>? adjust = null)
    {
        var r = await PwrProcess.RunAsync(InitTimeout, "init", "--validators", validators.ToString(CultureInfo.InvariantCulture), "--dir", dir,
            "--deterministic-keys", "--block-time", BlockTimeMs.ToString(CultureInfo.InvariantCulture));
        if (r.ExitCode != 0) throw new InvalidOperationException($"pwr init failed: {r.Describe()}");

        var apiPorts = Enumerable.Range(0, validators).Select(_ => FreePort.Next()).ToList();
        var p2pPorts = Enumerable.Range(0, validators).Select(_ => FreePort.Next()).ToList();
        var paths = new List<string>();
        var configs = new List<NodeConfig>();
        for (int i = 0; i < validators; i++)
        {
            var path = Path.Combine(dir, "node" + i.ToString(CultureInfo.InvariantCulture), "config.json");
            var others = Enumerable.Range(0, validators).Where(j => j != i).ToList();
            var config = NodeConfig.Load(path) with
            {
                ApiPort = apiPorts[i],
                P2PPort = p2pPorts[i],
                PersistentPeers = others.Select(j => $"127.0.0.1:{p2pPorts[j]}").ToList(),
                VmAgreementPeers = others.Select(j => $"http://127.0.0.1:{apiPorts[j]}").ToList(),
                LogLevel = Microsoft.Extensions.Logging.LogLevel.Information,
            };
            if (adjust is not null) config = adjust(i, config);
            config.Save(path);
            paths.Add(path);
            configs.Add(config);
        }
        return new LocalnetProcesses(dir, paths, configs);
    }

    /// <summary>Starts every node that is not running.</summary>
    public void StartAll()
    {
        for (int i = 0; i < Count; i++)
            if (_processes[i] is null) Start(i);
    }

    /// <summary>Starts `pwr node --config` for node i (again, after a kill: same data directory and WAL).</summary>
    public void Start(int i)
    {
        _processes[i]?.Dispose();
        _processes[i] = PwrProcess.Start(Path.GetTempPath(), "node", "--config", ConfigPaths[i]);
    }

    /// <summary>SIGKILL node i: no shutdown, no flush beyond what it already fsync'd.</summary>
    public async Task KillAsync(int i)
    {
        if (_processes[i] is { } p) await p.KillAsync();
    }

    /// <summary>Waits until node i has finalized at least <paramref name="height"/>; fails early with its output if it exits.</summary>
    public async Task<ulong> WaitForHeightAsync(int i, ulong height, TimeSpan timeout)
    {
        ulong seen = 0;
        await Eventually.UntilAsync(async () =>
        {
            if (_processes[i] is { HasExited: true } p) throw new InvalidOperationException($"node {i} exited early\n{p.StdOut}\n{p.StdErr}");
            seen = await Apis[i].BlocksCountAsync();
            return seen >= height;
        }, timeout, $"node {i} (API port {Configs[i].ApiPort}) to reach height {height}", TimeSpan.FromMilliseconds(200));
        return seen;
    }

    public async Task WaitForHeightOnAllAsync(ulong height, TimeSpan timeout)
    {
        for (int i = 0; i < Count; i++) await WaitForHeightAsync(i, height, timeout);
    }

    /// <summary>Block <paramref name="number"/>'s hash on every node (GET /block); equal on all nodes in a healthy network.</summary>
    public async Task<IReadOnlyList<string>> BlockHashesAsync(ulong number)
    {
        var hashes = new List<string>();
        foreach (var api in Apis) hashes.Add(await api.BlockHashAsync(number));
        return hashes;
    }

    public ValueTask DisposeAsync()
    {
        foreach (var p in _processes) p?.Dispose();
        foreach (var api in Apis) api.Dispose();
        return ValueTask.CompletedTask;
    }
}
