namespace Pwr.Cli.Tests.Infrastructure;

/// <summary>The node answered a request with a non-success status.</summary>
internal sealed class NodeApiException(int status, string body) : Exception($"HTTP {status}: {body}")
{
    public int Status { get; } = status;
}
