using System.Net;

namespace Pwr.Vm;

/// <summary>A PWR node's HTTP API refused a request or could not be reached; the message carries the node's own error text.</summary>
public sealed class PwrNodeException : Exception
{
    public PwrNodeException(string message, HttpStatusCode? statusCode = null, Exception? inner = null) : base(message, inner)
        => StatusCode = statusCode;

    /// <summary>The HTTP status, or null when no response came (connection refused, timeout, malformed body).</summary>
    public HttpStatusCode? StatusCode { get; }
}
