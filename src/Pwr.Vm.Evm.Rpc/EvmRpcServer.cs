using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Pwr.Vm.Evm.Vm;

namespace Pwr.Vm.Evm.Rpc;

/// <summary>The Ethereum JSON-RPC wrapper: HTTP on <see cref="EvmRpcOptions.Port"/> (CORS open, as Anvil's), reads from the EVM
/// VM's store, and sends validated transactions to the base layer through a <see cref="PwrSubmitter"/>.</summary>
public sealed class EvmRpcServer : IAsyncDisposable
{
    private const int MaxBodyBytes = 16 * 1024 * 1024;

    private readonly EvmRpcOptions _options;
    private readonly PwrSubmitter _submitter;
    private WebApplication? _web;

    private EvmRpcServer(EvmRpcOptions options, EvmRpcHandler handler, PwrSubmitter submitter)
    {
        _options = options;
        Handler = handler;
        _submitter = submitter;
    }

    public EvmRpcHandler Handler { get; }

    /// <summary>The URL clients connect to (the actual port when 0 was asked for).</summary>
    public string Url { get; private set; } = "";

    /// <summary>Starts the server over the EVM VM's committed <paramref name="state"/> (its <see cref="VmStore"/>).</summary>
    public static async Task<EvmRpcServer> StartAsync(IVmStateReader state, EvmVmOptions vm, EvmRpcOptions options, ILoggerFactory loggers, CancellationToken cancellationToken = default)
    {
        options.Validate();
        EvmRpcHandler? handler = null;
        var submitter = new PwrSubmitter(options, loggers.CreateLogger("Pwr.Vm.Evm.Rpc"), hashes => handler?.Dropped(hashes));
        handler = new EvmRpcHandler(state, vm, options, submitter.Enqueue);
        var server = new EvmRpcServer(options, handler, submitter);
        try
        {
            await submitter.StartAsync(cancellationToken);
            await server.StartWebAsync();
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    private async Task StartWebAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k =>
        {
            var address = _options.Host == "localhost" ? IPAddress.Loopback : IPAddress.Parse(_options.Host);
            k.Listen(address, _options.Port);
            k.Limits.MaxRequestBodySize = MaxBodyBytes;
        });
        _web = builder.Build();
        _web.Use(async (context, next) =>
        {
            // Browser dApps (MetaMask pages, viem in a tab) call from any origin.
            var headers = context.Response.Headers;
            headers.AccessControlAllowOrigin = "*";
            headers.AccessControlAllowMethods = "POST, GET, OPTIONS";
            headers.AccessControlAllowHeaders = "*";
            if (HttpMethods.IsOptions(context.Request.Method))
            {
                context.Response.StatusCode = StatusCodes.Status204NoContent;
                return;
            }
            await next(context);
        });
        _web.UseWebSockets();
        _web.MapPost("/", HandleAsync);
        // The same port serves WebSocket clients (eth_subscribe), as Anvil does.
        _web.MapGet("/", async context =>
        {
            if (!context.WebSockets.IsWebSocketRequest)
            {
                await context.Response.WriteAsync("PWR EVM JSON-RPC: POST JSON-RPC 2.0 requests here, or connect a WebSocket\n");
                return;
            }
            using var socket = await context.WebSockets.AcceptWebSocketAsync();
            await new EvmRpcWebSocket(socket, Handler).RunAsync(context.RequestAborted);
        });
        try { await _web.StartAsync(); }
        catch (IOException e)
        {
            throw new IOException($"cannot listen on {_options.Host}:{_options.Port} for Ethereum JSON-RPC: {e.Message}. Is Anvil or another devnet running?", e);
        }
        var bound = _web.Urls.FirstOrDefault() ?? $"http://{_options.Host}:{_options.Port}";
        Url = bound;
    }

    private async Task HandleAsync(HttpContext context)
    {
        byte[] body;
        try
        {
            using var buffer = new MemoryStream();
            await context.Request.Body.CopyToAsync(buffer, context.RequestAborted);
            body = buffer.ToArray();
        }
        catch (BadHttpRequestException e)
        {
            context.Response.StatusCode = e.StatusCode;
            return;
        }
        var response = Handler.Handle(body);
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(response, context.RequestAborted);
    }

    public async ValueTask DisposeAsync()
    {
        if (_web is not null)
        {
            await _web.StopAsync();
            await _web.DisposeAsync();
        }
        await _submitter.DisposeAsync();
    }
}
