using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Pwr.Node;

/// <summary><c>GET /vmStatus?vidaId=N</c>: a VM host's height, status and agreement with its peers.</summary>
public static class VmStatusEndpoint
{
    /// <summary>Maps the endpoint; <paramref name="chainHeight"/> reads the node's latest finalized block.</summary>
    public static void Map(IEndpointRouteBuilder app, IReadOnlyDictionary<ulong, IVmRootProvider> vmRoots, Func<ulong> chainHeight)
    {
        ArgumentNullException.ThrowIfNull(app);
        ArgumentNullException.ThrowIfNull(vmRoots);
        ArgumentNullException.ThrowIfNull(chainHeight);
        app.MapGet("/vmStatus", (HttpContext c) => Answer(c, vmRoots, chainHeight));
    }

    private static IResult Answer(HttpContext c, IReadOnlyDictionary<ulong, IVmRootProvider> vmRoots, Func<ulong> chainHeight)
    {
        string? text = c.Request.Query["vidaId"];
        if (text is null) return Error(400, "query parameter 'vidaId' is required");
        if (!ulong.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out ulong vmId))
            return Error(400, $"query parameter 'vidaId' must be a non-negative integer, got '{(text.Length > 40 ? text[..40] + "…" : text)}'");
        if (!vmRoots.TryGetValue(vmId, out var provider)) return Error(404, $"this node runs no VM host for VM ID {vmId}");

        var report = provider.Report;
        return Results.Json(new
        {
            vidaId = vmId,
            height = report.Height,
            chainHeight = chainHeight(),
            status = report.Status,
            lastAgreedHeight = report.LastAgreedHeight,
            lag = report.Lag,
            divergence = report.Divergence is { } d
                ? new { height = d.Height, localRoot = d.LocalRoot, peerRoot = d.PeerRoot, agreeing = d.Agreeing, answers = d.Answers, rolledBackTo = d.RolledBackTo }
                : null,
            divergencesTotal = report.DivergencesTotal,
            error = report.Error,
            host = provider.Status,
        });
    }

    private static IResult Error(int status, string message) => Results.Json(new { error = message }, statusCode: status);
}
