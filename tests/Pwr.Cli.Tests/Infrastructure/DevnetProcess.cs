namespace Pwr.Cli.Tests.Infrastructure;

/// <summary>
/// `pwr devnet` as a separate process on its own free loopback port with fast (200 ms) blocks. The data directory
/// belongs to the caller, so a test can kill the devnet and start another on the same data.
/// </summary>
internal sealed class DevnetProcess : IAsyncDisposable
{
    public static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    public const int BlockTimeMs = 200;

    private DevnetProcess(PwrProcess process, int port, string dataDir)
    {
        Process = process;
        Port = port;
        DataDir = dataDir;
        Url = $"http://127.0.0.1:{port}";
        Api = new NodeApi(Url);
    }

    public PwrProcess Process { get; }
    public int Port { get; }
    public string DataDir { get; }
    public string Url { get; }
    public NodeApi Api { get; }

    /// <summary>Starts a devnet and waits until it has produced a block (its API answers and blocks flow).</summary>
    public static async Task<DevnetProcess> StartAsync(string dataDir, bool reset = true)
    {
        int port = FreePort.Next();
        var args = new List<string> { "devnet", "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--data-dir", dataDir, "--block-time", BlockTimeMs.ToString(System.Globalization.CultureInfo.InvariantCulture), "--evm-rpc-port", "0" };
        if (reset) args.Add("--reset");
        var process = PwrProcess.Start(Path.GetTempPath(), [.. args]);
        var devnet = new DevnetProcess(process, port, dataDir);
        try
        {
            await Eventually.UntilAsync(async () =>
            {
                if (process.HasExited) throw new InvalidOperationException($"`{process.CommandLine}` exited early\n{process.StdOut}\n{process.StdErr}");
                return await devnet.Api.BlocksCountAsync() > 0;
            }, StartTimeout, $"the devnet on port {port} to produce its first block");
            return devnet;
        }
        catch
        {
            await devnet.DisposeAsync();
            throw;
        }
    }

    /// <summary>Runs a `pwr` client command against this devnet (`--node` is added).</summary>
    public Task<ProcessResult> CliAsync(TimeSpan timeout, params string[] args) => PwrProcess.RunAsync(timeout, [.. args, "--node", Url]);

    public Task KillAsync() => Process.KillAsync();

    public ValueTask DisposeAsync()
    {
        Process.Dispose();
        Api.Dispose();
        return ValueTask.CompletedTask;
    }
}
