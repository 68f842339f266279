using System.Net;
using System.Net.Sockets;

namespace Pwr.Cli.Tests.Faults;

/// <summary>
/// A loopback TCP proxy with one listener per directed link (node i dials node j): the tests point every persistent
/// peer at it, so all validator traffic crosses it. <see cref="Partition"/> cuts the links between two groups (open
/// connections are closed, new ones are accepted and closed at once) until <see cref="Heal"/>.
/// </summary>
internal sealed class PartitionProxy : IAsyncDisposable
{
    private sealed class Link(int from, int to, int targetPort, TcpListener listener)
    {
        public int From { get; } = from;
        public int To { get; } = to;
        public int TargetPort { get; } = targetPort;
        public TcpListener Listener { get; } = listener;
        public int ListenPort => ((IPEndPoint)Listener.LocalEndpoint).Port;
        public List<(TcpClient Inbound, TcpClient Outbound)> Open { get; } = [];
        public long Accepted;
        public long Refused;
        public long BytesForwarded;
    }

    private readonly Lock _lock = new();
    private readonly List<Link> _links = [];
    private readonly List<Task> _loops = [];
    private readonly CancellationTokenSource _cts = new();
    private HashSet<int>? _sideA;

    /// <summary>Adds the link "node <paramref name="from"/> dials node <paramref name="to"/>"; returns the "127.0.0.1:port" to dial instead of the real one.</summary>
    public string AddLink(int from, int to, int targetPort)
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start(64);
        var link = new Link(from, to, targetPort, listener);
        lock (_lock)
        {
            _links.Add(link);
            _loops.Add(Task.Run(() => AcceptLoopAsync(link)));
        }
        return $"127.0.0.1:{link.ListenPort}";
    }

    /// <summary>Cuts every link between <paramref name="sideA"/> and the other nodes, both directions, now and until healed.</summary>
    public void Partition(IEnumerable<int> sideA)
    {
        var cut = new List<(TcpClient, TcpClient)>();
        lock (_lock)
        {
            _sideA = [.. sideA];
            foreach (var link in _links.Where(IsCutLocked))
            {
                cut.AddRange(link.Open);
                link.Open.Clear();
            }
        }
        foreach (var (a, b) in cut) CloseBoth(a, b);
    }

    public void Heal()
    {
        lock (_lock) _sideA = null;
    }

    /// <summary>Connections the proxy forwarded from node <paramref name="from"/> to node <paramref name="to"/> so far.</summary>
    public long AcceptedOn(int from, int to)
    {
        lock (_lock) return _links.Where(l => l.From == from && l.To == to).Sum(l => Interlocked.Read(ref l.Accepted));
    }

    /// <summary>Connections the proxy refused (accepted and closed) on a cut link.</summary>
    public long RefusedTotal
    {
        get { lock (_lock) return _links.Sum(l => Interlocked.Read(ref l.Refused)); }
    }

    /// <summary>Bytes forwarded (both directions) on the links between node <paramref name="a"/> and node <paramref name="b"/>.</summary>
    public long BytesBetween(int a, int b)
    {
        lock (_lock) return _links.Where(l => (l.From == a && l.To == b) || (l.From == b && l.To == a)).Sum(l => Interlocked.Read(ref l.BytesForwarded));
    }

    private bool IsCutLocked(Link link) => _sideA is { } a && a.Contains(link.From) != a.Contains(link.To);

    private async Task AcceptLoopAsync(Link link)
    {
        var ct = _cts.Token;
        while (!ct.IsCancellationRequested)
        {
            TcpClient inbound;
            try { inbound = await link.Listener.AcceptTcpClientAsync(ct); }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException) { return; }
            _ = Task.Run(() => ServeAsync(link, inbound, ct), CancellationToken.None);
        }
    }

    private async Task ServeAsync(Link link, TcpClient inbound, CancellationToken ct)
    {
        bool cut;
        lock (_lock) cut = IsCutLocked(link);
        if (cut)
        {
            Interlocked.Increment(ref link.Refused);
            inbound.Dispose();
            return;
        }
        var outbound = new TcpClient { NoDelay = true };
        inbound.NoDelay = true;
        try { await outbound.ConnectAsync(IPAddress.Loopback, link.TargetPort, ct); }
        catch (Exception e) when (e is SocketException or OperationCanceledException or ObjectDisposedException)
        {
            CloseBoth(inbound, outbound);
            return;
        }
        lock (_lock)
        {
            // The partition may have started while this connection was being set up.
            if (IsCutLocked(link))
            {
                Interlocked.Increment(ref link.Refused);
                cut = true;
            }
            else
            {
                link.Open.Add((inbound, outbound));
                Interlocked.Increment(ref link.Accepted);
            }
        }
        if (cut)
        {
            CloseBoth(inbound, outbound);
            return;
        }
        await Task.WhenAny(PumpAsync(link, inbound, outbound, ct), PumpAsync(link, outbound, inbound, ct));
        lock (_lock) link.Open.Remove((inbound, outbound));
        CloseBoth(inbound, outbound);
    }

    private static async Task PumpAsync(Link link, TcpClient from, TcpClient to, CancellationToken ct)
    {
        var buffer = new byte[64 * 1024];
        try
        {
            var input = from.GetStream();
            var output = to.GetStream();
            while (true)
            {
                int n = await input.ReadAsync(buffer, ct);
                if (n == 0) return;
                await output.WriteAsync(buffer.AsMemory(0, n), ct);
                Interlocked.Add(ref link.BytesForwarded, n);
            }
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or OperationCanceledException or InvalidOperationException) { }
    }

    private static void CloseBoth(TcpClient a, TcpClient b)
    {
        foreach (var c in new[] { a, b })
        {
            // A pump or the accept loop may have closed this pair already (Client is then null): closing twice is fine.
            try { c.Client?.Shutdown(SocketShutdown.Both); } catch (Exception e) when (e is SocketException or ObjectDisposedException or NullReferenceException) { }
            c.Dispose();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _cts.CancelAsync();
        List<(TcpClient, TcpClient)> open;
        lock (_lock)
        {
            foreach (var l in _links) l.Listener.Stop();
            open = [.. _links.SelectMany(l => l.Open)];
        }
        foreach (var (a, b) in open) CloseBoth(a, b);
        try { await Task.WhenAll(_loops).WaitAsync(TimeSpan.FromSeconds(5)); } catch (TimeoutException) { }
        _cts.Dispose();
    }
}
