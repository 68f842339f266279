using System.Runtime.InteropServices;

namespace Pwr.Cli.Tests.Infrastructure;

/// <summary>POSIX signals for process tests (.NET's Process can only SIGKILL).</summary>
internal static partial class Signals
{
    public const int SIGTERM = 15;

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);

    public static void Send(int pid, int signal)
    {
        if (Kill(pid, signal) != 0) throw new InvalidOperationException($"kill({pid}, {signal}) failed: errno {Marshal.GetLastPInvokeError()}");
    }
}
