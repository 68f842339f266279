using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Pwr.Cli.Tests.Infrastructure;

/// <summary>
/// Picks a free loopback port for a node the test starts later, below the kernel's ephemeral range. A port from the
/// ephemeral range (what binding port 0 returns) can be handed to some process's outgoing connection (a node dialling
/// its peers) between the pick and the node's bind, and the node then fails with "address already in use".
/// </summary>
internal static class FreePort
{
    private const int Lowest = 20_000;
    private static readonly int Highest = EphemeralLow() - 1;
    // Spread test processes apart so two running at once rarely probe the same ports.
    private static int s_next = Lowest + Environment.ProcessId * 97 % Math.Max(1, Highest - Lowest);

    public static int Next()
    {
        for (int attempt = 0; attempt < 10_000; attempt++)
        {
            int port = Interlocked.Increment(ref s_next);
            if (port > Highest) { Interlocked.CompareExchange(ref s_next, Lowest, port); continue; }
            if (port is 26656 or 26657 or 26658 or 26659) continue; // localnet's default p2p ports
            try
            {
                var listener = new TcpListener(IPAddress.Loopback, port);
                listener.Start();
                listener.Stop();
                return port;
            }
            catch (SocketException) { }
        }
        throw new InvalidOperationException($"no free loopback port between {Lowest} and {Highest}");
    }

    private static int EphemeralLow()
    {
        try
        {
            var range = File.ReadAllText("/proc/sys/net/ipv4/ip_local_port_range").Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            int low = int.Parse(range[0], CultureInfo.InvariantCulture);
            return low > Lowest + 1_000 ? low : 32_768;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            return 32_768;
        }
    }
}
