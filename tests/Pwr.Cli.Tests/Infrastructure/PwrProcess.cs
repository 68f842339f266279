using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;

namespace Pwr.Cli.Tests.Infrastructure;

/// <summary>
/// One running `dotnet pwr.dll …` process with its output captured. Disposing kills it (and its children), and a
/// process-exit hook kills any the tests forgot, so a failed or aborted test run leaves no devnet behind.
/// </summary>
internal sealed class PwrProcess : IDisposable
{
    private static readonly ConcurrentDictionary<int, Process> Live = new();
    private readonly Process _process;
    private readonly StringBuilder _out = new(), _err = new();
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly TaskCompletionSource _outClosed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _errClosed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    static PwrProcess()
    {
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            foreach (var p in Live.Values) KillQuietly(p);
        };
    }

    private PwrProcess(IEnumerable<string> args, string workingDirectory)
    {
        var psi = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        psi.ArgumentList.Add(PwrBinary.Dll);
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        psi.Environment["DOTNET_NOLOGO"] = "1";
        psi.Environment["COLUMNS"] = "240";
        psi.Environment["NO_COLOR"] = "1";
        _process = new Process { StartInfo = psi, EnableRaisingEvents = true };
        _process.OutputDataReceived += (_, e) => Append(_out, e.Data, _outClosed);
        _process.ErrorDataReceived += (_, e) => Append(_err, e.Data, _errClosed);
        CommandLine = "pwr " + string.Join(' ', args);
        if (!_process.Start()) throw new InvalidOperationException($"could not start {CommandLine}");
        Id = _process.Id;
        Live[Id] = _process;
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public string CommandLine { get; }
    public int Id { get; }
    public bool HasExited => _process.HasExited;
    public string StdOut { get { lock (_out) return _out.ToString(); } }
    public string StdErr { get { lock (_err) return _err.ToString(); } }

    /// <summary>Starts a long-running command (a devnet, a VM host); the caller disposes it to kill it.</summary>
    public static PwrProcess Start(string workingDirectory, params string[] args) => new(args, workingDirectory);

    /// <summary>Runs a command to completion; kills it and fails if it outlives <paramref name="timeout"/>.</summary>
    public static async Task<ProcessResult> RunAsync(TimeSpan timeout, params string[] args)
    {
        using var p = new PwrProcess(args, Path.GetTempPath());
        return await p.WaitForExitAsync(timeout);
    }

    public async Task<ProcessResult> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cts.Token);
            await Task.WhenAll(_outClosed.Task, _errClosed.Task).WaitAsync(TimeSpan.FromSeconds(5));
        }
        catch (OperationCanceledException)
        {
            KillQuietly(_process);
            throw new TimeoutException($"`{CommandLine}` did not exit within {timeout.TotalSeconds:F0} s and was killed\n--- stdout ---\n{StdOut}\n--- stderr ---\n{StdErr}");
        }
        return new ProcessResult(_process.ExitCode, StdOut, StdErr, _clock.Elapsed);
    }

    /// <summary>SIGKILL: the process gets no chance to clean up (what a crash or `kill -9` does).</summary>
    public async Task KillAsync()
    {
        KillQuietly(_process);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        await _process.WaitForExitAsync(cts.Token);
    }

    private static void Append(StringBuilder sb, string? line, TaskCompletionSource closed)
    {
        if (line is null) { closed.TrySetResult(); return; }
        lock (sb) sb.AppendLine(line);
    }

    private static void KillQuietly(Process p)
    {
        try
        {
            if (!p.HasExited) p.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException) { }
        catch (System.ComponentModel.Win32Exception) { }
    }

    public void Dispose()
    {
        KillQuietly(_process);
        try { _process.WaitForExit(10_000); } catch (InvalidOperationException) { }
        Live.TryRemove(Id, out _);
        _process.Dispose();
    }
}
