using System.Text.Json.Serialization;

namespace Pwr.Vm;

// Wire shapes of the node's HTTP API (numbers as JSON numbers; hashes, addresses and data as 0x-hex strings).

internal sealed class BlocksCountResponse
{
    public ulong BlocksCount { get; set; }
}

internal sealed class VmBlocksResponse
{
    public List<VmBlockJson>? Blocks { get; set; }
}

internal sealed class VmBlockJson
{
    public ulong BlockNumber { get; set; }
    public ulong Timestamp { get; set; }
    public string? BlockHash { get; set; }
    public List<VmTransactionJson>? Transactions { get; set; }
}

internal sealed class VmTransactionJson
{
    public string? Sender { get; set; }
    public ulong Value { get; set; }
    public string? Data { get; set; }
    public string? Hash { get; set; }
    public uint Position { get; set; }
}

internal sealed class RootHashResponse
{
    public ulong VidaId { get; set; }
    public ulong BlockNumber { get; set; }
    public string? RootHash { get; set; }
}

internal sealed class RootHashesResponse
{
    public ulong VidaId { get; set; }
    public ulong StartingBlock { get; set; }
    public List<string>? RootHashes { get; set; }
}

internal sealed class ErrorResponse
{
    public string? Error { get; set; }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, NumberHandling = JsonNumberHandling.AllowReadingFromString)]
[JsonSerializable(typeof(BlocksCountResponse))]
[JsonSerializable(typeof(VmBlocksResponse))]
[JsonSerializable(typeof(RootHashResponse))]
[JsonSerializable(typeof(RootHashesResponse))]
[JsonSerializable(typeof(ErrorResponse))]
internal sealed partial class PwrNodeJsonContext : JsonSerializerContext;
