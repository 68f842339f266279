using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Text.Json;
using Pwr.Node;
using Spectre.Console;

namespace Pwr.Cli;

/// <summary>What `pwr localnet` runs.</summary>
public sealed class LocalnetOptions
{
    public int Validators { get; init; } = 4;
    public required string Dir { get; init; }
    public bool Reset { get; init; }
    public TimeSpan BlockInterval { get; init; } = TimeSpan.FromSeconds(1);
    /// <summary>How long stopped validators get to exit after SIGTERM before they are killed.</summary>
    public TimeSpan StopGracePeriod { get; init; } = TimeSpan.FromSeconds(10);
}

/// <summary>
/// `pwr localnet`: initializes a network with deterministic keys (unless its folder exists), starts one
/// `pwr node` child process per validator, reports heights, and stops them all on Ctrl-C.
/// </summary>
public static partial class LocalnetRunner
{
    private const int SIGTERM = 15;

    /// <summary>How long `pwr localnet` may take to stop after Ctrl-C: the SIGTERM grace period plus time to kill and reap.</summary>
    public static readonly TimeSpan ShutdownTimeout = new LocalnetOptions { Dir = "" }.StopGracePeriod + TimeSpan.FromSeconds(10);

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int SysKill(int pid, int signal);

    public static async Task<int> RunAsync(LocalnetOptions options, CancellationToken ct)
    {
        var dir = Path.GetFullPath(options.Dir);
        if (options.Reset && Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        if (!File.Exists(Path.Combine(dir, NetworkInit.GenesisFileName)))
        {
            NetworkInit.Write(new NetworkInitOptions
            {
                Validators = options.Validators,
                Dir = dir,
                DeterministicKeys = true,
                BlockInterval = options.BlockInterval,
            }, TimeProvider.System);
            AnsiConsole.MarkupLine($"[grey]Initialized {options.Validators} validators in {Markup.Escape(dir)} (deterministic keys).[/]");
        }
        else AnsiConsole.MarkupLine($"[grey]Using the existing network in {Markup.Escape(dir)} (--reset starts a new one).[/]");

        var configs = new List<(string Path, NodeConfig Config)>();
        for (int i = 0; i < options.Validators; i++)
        {
            var path = NetworkInit.ConfigPath(dir, i);
            if (!File.Exists(path))
                throw new InvalidDataException($"'{path}' is missing: {dir} holds fewer than {options.Validators} validators; run with --reset or fewer --validators");
            configs.Add((path, NodeConfig.Load(path)));
        }

        var children = new List<Child>();
        try
        {
            for (int i = 0; i < configs.Count; i++) children.Add(Child.Start(i, configs[i].Path, configs[i].Config));
            // Only the log path may wrap: pids and endpoints stay whole on narrow or redirected consoles.
            var table = new Table().AddColumns(new TableColumn("validator").NoWrap(), new TableColumn("pid").NoWrap(),
                new TableColumn("PWR API").NoWrap(), new TableColumn("p2p").NoWrap(), new TableColumn("log"));
            foreach (var c in children)
                table.AddRow(c.Index.ToString(CultureInfo.InvariantCulture), c.Process.Id.ToString(CultureInfo.InvariantCulture),
                    c.ApiUrl, $"{c.Config.P2PHost}:{c.Config.P2PPort}", Markup.Escape(c.LogPath));
            AnsiConsole.MarkupLine($"[bold green]PWR localnet[/]: {children.Count} validators, chain id {configs[0].Config.ChainId}. Ctrl-C stops them all.");
            AnsiConsole.Write(table);
            await ReportAsync(children, ct);
            return children.Any(c => c.Process.HasExited) ? 1 : 0;
        }
        finally
        {
            AnsiConsole.MarkupLine("[grey]Stopping the validators…[/]");
            await StopAllAsync(children, options.StopGracePeriod);
        }
    }

    /// <summary>Prints the validators' heights every few seconds and says when one exits, until cancelled or all have exited.</summary>
    private static async Task ReportAsync(List<Child> children, CancellationToken ct)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var reported = new HashSet<int>();
        string last = "";
        while (!ct.IsCancellationRequested)
        {
            try { await Task.Delay(TimeSpan.FromSeconds(3), ct); }
            catch (OperationCanceledException) { return; }
            var parts = new List<string>();
            foreach (var c in children)
            {
                if (c.Process.HasExited)
                {
                    if (reported.Add(c.Index))
                        AnsiConsole.MarkupLine($"[red]validator {c.Index} (pid {c.Process.Id}) exited with code {c.Process.ExitCode}[/]; its log: {Markup.Escape(c.LogPath)}");
                    parts.Add($"v{c.Index} exited");
                    continue;
                }
                parts.Add($"v{c.Index} {await HeightAsync(http, c.ApiUrl, ct)}");
            }
            if (reported.Count == children.Count)
            {
                AnsiConsole.MarkupLine("[red]every validator has exited[/]");
                return;
            }
            var line = "heights: " + string.Join("  ", parts);
            if (line != last) Console.WriteLine($"{DateTime.Now:HH:mm:ss} {line}");
            last = line;
        }
    }

    private static async Task<string> HeightAsync(HttpClient http, string apiUrl, CancellationToken ct)
    {
        try
        {
            var json = await http.GetFromJsonAsync<JsonElement>(apiUrl + "/blocksCount", ct);
            return json.GetProperty("blocksCount").GetUInt64().ToString(CultureInfo.InvariantCulture);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or JsonException or KeyNotFoundException or InvalidOperationException)
        {
            return "?";
        }
    }

    /// <summary>SIGTERM to all, then SIGKILL to any still running after the grace period.</summary>
    private static async Task StopAllAsync(List<Child> children, TimeSpan grace)
    {
        foreach (var c in children)
            if (!c.Process.HasExited) _ = SysKill(c.Process.Id, SIGTERM);
        using var cts = new CancellationTokenSource(grace);
        foreach (var c in children)
        {
            try { await c.Process.WaitForExitAsync(cts.Token); }
            catch (OperationCanceledException)
            {
                AnsiConsole.MarkupLine($"[yellow]validator {c.Index} (pid {c.Process.Id}) ignored SIGTERM for {grace.TotalSeconds:F0} s; killing it[/]");
                try { c.Process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
                await c.Process.WaitForExitAsync(CancellationToken.None);
            }
        }
        foreach (var c in children) await c.DisposeAsync();
    }

    /// <summary>One `pwr node` child, its stdout and stderr appended to nodeI/node.log.</summary>
    private sealed class Child : IAsyncDisposable
    {
        private readonly StreamWriter _log;
        private readonly Task _pumps;

        private Child(int index, NodeConfig config, Process process, string logPath, StreamWriter log)
        {
            Index = index;
            Config = config;
            Process = process;
            LogPath = logPath;
            _log = log;
            _pumps = Task.WhenAll(Pump(process.StandardOutput), Pump(process.StandardError));
        }

        public int Index { get; }
        public NodeConfig Config { get; }
        public Process Process { get; }
        public string LogPath { get; }
        public string ApiUrl => $"http://{Config.ApiHost}:{Config.ApiPort}";

        public static Child Start(int index, string configPath, NodeConfig config)
        {
            var psi = SameBinary();
            psi.ArgumentList.Add("node");
            psi.ArgumentList.Add("--config");
            psi.ArgumentList.Add(configPath);
            psi.RedirectStandardOutput = true;
            psi.RedirectStandardError = true;
            psi.UseShellExecute = false;
            psi.Environment["NO_COLOR"] = "1";
            var logPath = Path.Combine(Path.GetDirectoryName(configPath)!, "node.log");
            var log = new StreamWriter(logPath, append: true) { AutoFlush = true };
            var process = Process.Start(psi) ?? throw new InvalidOperationException($"could not start validator {index}: {psi.FileName}");
            return new Child(index, config, process, logPath, log);
        }

        /// <summary>This very program: `dotnet pwr.dll` when run through the SDK host, else the apphost.</summary>
        private static ProcessStartInfo SameBinary()
        {
            var exe = Environment.ProcessPath ?? throw new InvalidOperationException("cannot tell which binary is running; start validators with 'pwr node --config' yourself");
            var psi = new ProcessStartInfo(exe);
            if (Path.GetFileNameWithoutExtension(exe) == "dotnet")
                psi.ArgumentList.Add(Assembly.GetEntryAssembly()?.Location ?? throw new InvalidOperationException("cannot locate pwr.dll"));
            return psi;
        }

        private async Task Pump(StreamReader reader)
        {
            while (await reader.ReadLineAsync() is { } line)
                lock (_log) _log.WriteLine(line);
        }

        public async ValueTask DisposeAsync()
        {
            try { await _pumps.WaitAsync(TimeSpan.FromSeconds(5)); } catch (TimeoutException) { }
            lock (_log) _log.Dispose();
            Process.Dispose();
        }
    }
}
