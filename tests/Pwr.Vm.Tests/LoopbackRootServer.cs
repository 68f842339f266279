using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Pwr.Core;

namespace Pwr.Vm.Tests;

/// <summary>A peer's <c>/rootHash</c> on loopback (HttpListener): 200 with the root, or 404 "not yet" like a PWR node.</summary>
internal sealed class LoopbackRootServer : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly Func<ulong, Hash32?> _root;
    private readonly Task _serving;
    private int _requests;

    public LoopbackRootServer(Func<ulong, Hash32?> root)
    {
        _root = root;
        int port = FreePort();
        BaseAddress = new Uri($"http://127.0.0.1:{port}/");
        _listener.Prefixes.Add(BaseAddress.ToString());
        _listener.Start();
        _serving = Task.Run(ServeAsync);
    }

    public Uri BaseAddress { get; }

    public int Requests => Volatile.Read(ref _requests);

    /// <summary>A loopback URL where nothing listens: a peer that is down.</summary>
    public static Uri DeadAddress() => new($"http://127.0.0.1:{FreePort()}/");

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }
            Interlocked.Increment(ref _requests);
            var query = context.Request.QueryString;
            (int status, string body) = context.Request.Url?.AbsolutePath != "/rootHash"
                    || !ulong.TryParse(query["vidaId"], CultureInfo.InvariantCulture, out ulong vmId)
                    || !ulong.TryParse(query["blockNumber"], CultureInfo.InvariantCulture, out ulong block)
                ? (400, "{\"error\":\"bad request\"}")
                : _root(block) is { } root
                    ? (200, $"{{\"vidaId\":{vmId},\"blockNumber\":{block},\"rootHash\":\"{root}\"}}")
                    : (404, $"{{\"error\":\"VM {vmId} has not applied block {block} yet\"}}");
            var bytes = Encoding.UTF8.GetBytes(body);
            context.Response.StatusCode = status;
            context.Response.ContentType = "application/json";
            context.Response.ContentLength64 = bytes.Length;
            await context.Response.OutputStream.WriteAsync(bytes);
            context.Response.Close();
        }
    }

    private static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    public void Dispose()
    {
        _listener.Stop();
        _listener.Close();
        _serving.Wait(TimeSpan.FromSeconds(5));
    }
}
