using System.Net;
using System.Net.Sockets;

namespace Pwr.Cli.Tests.Infrastructure;

/// <summary>Picks a free loopback port by binding port 0, so tests never collide with each other or a dev's devnet on 8085.</summary>
internal static class FreePort
{
    public static int Next()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        try { return ((IPEndPoint)listener.LocalEndpoint).Port; }
        finally { listener.Stop(); }
    }
}
