namespace Pwr.Cli.Tests.Infrastructure;

/// <summary>How a finished `pwr` command ended.</summary>
internal sealed record ProcessResult(int ExitCode, string StdOut, string StdErr, TimeSpan Elapsed)
{
    public string Describe() => $"exit {ExitCode} after {Elapsed.TotalSeconds:F1} s\n--- stdout ---\n{Tail(StdOut)}\n--- stderr ---\n{Tail(StdErr)}";

    private static string Tail(string s) => s.Length <= 4000 ? s : "…" + s[^4000..];
}
