namespace Pwr.Vm.Evm.Rpc;

/// <summary>A JSON-RPC error answer (EIP-1474 codes); thrown inside a method handler and turned into the response's error.</summary>
public sealed class RpcException(int code, string message, string? data = null) : Exception(message)
{
    public const int ParseError = -32700;
    public const int InvalidRequest = -32600;
    public const int MethodNotFound = -32601;
    public const int InvalidParams = -32602;
    public const int InternalError = -32603;
    /// <summary>geth's generic server error: transaction rejected ("nonce too low", ...).</summary>
    public const int ServerError = -32000;
    /// <summary>Execution reverted; data carries the revert output.</summary>
    public const int ExecutionReverted = 3;

    public int Code { get; } = code;
    public string? ErrorData { get; } = data;

    public static RpcException Params(string message) => new(InvalidParams, message);
}
