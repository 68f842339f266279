using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Logging;

namespace Pwr.Node;

/// <summary>One VM the node runs in-process: its kind ("token" or "evm"), VM ID and, for the EVM, an optional JSON-RPC port.</summary>
public sealed record NodeVmConfig(string Kind, ulong Id, int? RpcPort);

/// <summary>
/// A node's configuration file (`pwr node --config FILE`), as JSON. Relative paths are relative to the file's folder.
/// <see cref="Load"/> checks every field and names the one that is wrong.
/// </summary>
public sealed record NodeConfig
{
    public const string TokenVmKind = "token";
    public const string EvmVmKind = "evm";

    /// <summary>Where this node keeps its chain, WAL and VM stores.</summary>
    public required string DataDir { get; init; }
    public required byte ChainId { get; init; }
    public required string GenesisFile { get; init; }
    /// <summary>The validator's key file; null runs a full node.</summary>
    public string? ValidatorKeyFile { get; init; }
    /// <summary>The key that authenticates this node to its peers.</summary>
    public required string NodeKeyFile { get; init; }
    public string ApiHost { get; init; } = "127.0.0.1";
    public int ApiPort { get; init; } = 8085;
    public string P2PHost { get; init; } = "127.0.0.1";
    public int P2PPort { get; init; } = 26656;
    /// <summary>Peers ("host:port") this node keeps dialling.</summary>
    public IReadOnlyList<string> PersistentPeers { get; init; } = [];
    public TimeSpan BlockInterval { get; init; } = TimeSpan.FromSeconds(1);
    public IReadOnlyList<NodeVmConfig> Vms { get; init; } = [];
    /// <summary>Other nodes' PWR API URLs, with which the VM hosts compare state roots.</summary>
    public IReadOnlyList<string> VmAgreementPeers { get; init; } = [];
    public LogLevel LogLevel { get; init; } = LogLevel.Information;
    /// <summary>Fault injection for tests: sign conflicting votes (maps to BftOptions.EquivocateForFaultTests).</summary>
    public bool Equivocate { get; init; }

    /// <summary>The file's JSON shape; every field is nullable so that a missing one gets a message naming it.</summary>
    private sealed class Model
    {
        [JsonPropertyName("dataDir")] public string? DataDir { get; set; }
        [JsonPropertyName("chainId")] public int? ChainId { get; set; }
        [JsonPropertyName("genesisFile")] public string? GenesisFile { get; set; }
        [JsonPropertyName("validatorKeyFile")] public string? ValidatorKeyFile { get; set; }
        [JsonPropertyName("nodeKeyFile")] public string? NodeKeyFile { get; set; }
        [JsonPropertyName("api")] public Endpoint? Api { get; set; }
        [JsonPropertyName("p2p")] public Endpoint? P2P { get; set; }
        [JsonPropertyName("persistentPeers")] public List<string>? PersistentPeers { get; set; }
        [JsonPropertyName("blockIntervalMs")] public int? BlockIntervalMs { get; set; }
        [JsonPropertyName("vms")] public List<Vm>? Vms { get; set; }
        [JsonPropertyName("vmAgreementPeers")] public List<string>? VmAgreementPeers { get; set; }
        [JsonPropertyName("logLevel")] public string? LogLevel { get; set; }
        [JsonPropertyName("faults")] public Faults? Faults { get; set; }
    }

    private sealed class Endpoint
    {
        [JsonPropertyName("host")] public string? Host { get; set; }
        [JsonPropertyName("port")] public int? Port { get; set; }
    }

    private sealed class Vm
    {
        [JsonPropertyName("kind")] public string? Kind { get; set; }
        [JsonPropertyName("id")] public ulong? Id { get; set; }
        [JsonPropertyName("rpcPort")] public int? RpcPort { get; set; }
    }

    private sealed class Faults
    {
        [JsonPropertyName("equivocate")] public bool Equivocate { get; set; }
    }

    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    /// <summary>Reads and checks a config file; throws <see cref="InvalidDataException"/> naming the file and the bad field.</summary>
    public static NodeConfig Load(string path)
    {
        var full = Path.GetFullPath(path);
        if (!File.Exists(full)) throw new FileNotFoundException($"node config '{full}' does not exist; create one with 'pwr init'", full);
        Model? m;
        try { m = JsonSerializer.Deserialize<Model>(File.ReadAllText(full), Json); }
        catch (JsonException e) { throw new InvalidDataException($"node config '{full}' is not valid: {e.Message}"); }
        if (m is null) throw new InvalidDataException($"node config '{full}' is empty; expected a JSON object (see the README's NodeConfig section)");
        return FromModel(m, Path.GetDirectoryName(full)!, full);
    }

    private static NodeConfig FromModel(Model m, string baseDir, string file)
    {
        InvalidDataException Bad(string field, string what) => new($"node config '{file}': \"{field}\" {what}");
        string RequirePath(string? value, string field)
            => string.IsNullOrWhiteSpace(value) ? throw Bad(field, "is required (a path, relative to the config file's folder)") : Path.GetFullPath(value, baseDir);
        int Port(int? value, string field, int fallback)
            => value is null ? fallback : value is >= 1 and <= 65535 ? value.Value : throw Bad(field, $"must be a TCP port 1..65535, got {value}");
        string Host(string? value, string field)
        {
            if (value is null) return "127.0.0.1";
            return value == "localhost" || IPAddress.TryParse(value, out _) ? value : throw Bad(field, $"must be an IP address such as 127.0.0.1, got '{value}'");
        }

        if (m.ChainId is not { } chainId) throw Bad("chainId", "is required (0..255; must match the genesis file)");
        if (chainId is < 0 or > 255) throw Bad("chainId", $"must be 0..255, got {chainId}");

        var peers = m.PersistentPeers ?? [];
        foreach (var p in peers)
            if (!TryParseHostPort(p, out _)) throw Bad("persistentPeers", $"entry '{p}' is not host:port (for example 127.0.0.1:26657)");

        var interval = m.BlockIntervalMs ?? 1000;
        if (interval is < 10 or > 600_000) throw Bad("blockIntervalMs", $"must be 10..600000 ms, got {interval}");

        var vms = new List<NodeVmConfig>();
        foreach (var vm in m.Vms ?? [])
        {
            if (vm.Kind is not (TokenVmKind or EvmVmKind)) throw Bad("vms", $"kind '{vm.Kind}' is unknown; use \"{TokenVmKind}\" or \"{EvmVmKind}\"");
            if (vm.Id is not { } id) throw Bad("vms", $"a {vm.Kind} VM needs an \"id\" (the devnet uses 1 for the token VM, 2 for the EVM)");
            if (vm.RpcPort is not null && vm.Kind != EvmVmKind) throw Bad("vms", $"rpcPort is only for the EVM, not the {vm.Kind} VM {id}");
            if (vms.Any(v => v.Id == id)) throw Bad("vms", $"VM ID {id} is listed twice");
            vms.Add(new NodeVmConfig(vm.Kind, id, vm.RpcPort is null ? null : Port(vm.RpcPort, "vms.rpcPort", 0)));
        }

        var agreement = m.VmAgreementPeers ?? [];
        foreach (var url in agreement)
            if (!Uri.TryCreate(url, UriKind.Absolute, out var u) || u.Scheme is not ("http" or "https"))
                throw Bad("vmAgreementPeers", $"entry '{url}' is not an http:// URL of another node's PWR API");

        var level = LogLevel.Information;
        if (m.LogLevel is not null && !Enum.TryParse(m.LogLevel, ignoreCase: true, out level))
            throw Bad("logLevel", $"'{m.LogLevel}' is not one of {string.Join(", ", Enum.GetNames<LogLevel>())}");

        return new NodeConfig
        {
            DataDir = RequirePath(m.DataDir, "dataDir"),
            ChainId = (byte)chainId,
            GenesisFile = RequirePath(m.GenesisFile, "genesisFile"),
            ValidatorKeyFile = string.IsNullOrWhiteSpace(m.ValidatorKeyFile) ? null : Path.GetFullPath(m.ValidatorKeyFile, baseDir),
            NodeKeyFile = RequirePath(m.NodeKeyFile, "nodeKeyFile"),
            ApiHost = Host(m.Api?.Host, "api.host"),
            ApiPort = Port(m.Api?.Port, "api.port", 8085),
            P2PHost = Host(m.P2P?.Host, "p2p.host"),
            P2PPort = Port(m.P2P?.Port, "p2p.port", 26656),
            PersistentPeers = peers,
            BlockInterval = TimeSpan.FromMilliseconds(interval),
            Vms = vms,
            VmAgreementPeers = agreement,
            LogLevel = level,
            Equivocate = m.Faults?.Equivocate ?? false,
        };
    }

    /// <summary>Writes this config as JSON; paths are written relative to <paramref name="path"/>'s folder when inside it.</summary>
    public void Save(string path)
    {
        var full = Path.GetFullPath(path);
        var dir = Path.GetDirectoryName(full)!;
        string Rel(string p) => Path.GetRelativePath(dir, p);
        var m = new Model
        {
            DataDir = Rel(DataDir),
            ChainId = ChainId,
            GenesisFile = Rel(GenesisFile),
            ValidatorKeyFile = ValidatorKeyFile is null ? null : Rel(ValidatorKeyFile),
            NodeKeyFile = Rel(NodeKeyFile),
            Api = new Endpoint { Host = ApiHost, Port = ApiPort },
            P2P = new Endpoint { Host = P2PHost, Port = P2PPort },
            PersistentPeers = [.. PersistentPeers],
            BlockIntervalMs = (int)BlockInterval.TotalMilliseconds,
            Vms = [.. Vms.Select(v => new Vm { Kind = v.Kind, Id = v.Id, RpcPort = v.RpcPort })],
            VmAgreementPeers = [.. VmAgreementPeers],
            LogLevel = LogLevel.ToString(),
            Faults = new Faults { Equivocate = Equivocate },
        };
        Directory.CreateDirectory(dir);
        File.WriteAllText(full, JsonSerializer.Serialize(m, Json) + "\n");
    }

    /// <summary>Parses "host:port" (IPv4, IPv6 in brackets, or a name).</summary>
    public static bool TryParseHostPort(string? value, out (string Host, int Port) endpoint)
    {
        endpoint = default;
        if (string.IsNullOrWhiteSpace(value)) return false;
        int colon = value.LastIndexOf(':');
        if (colon <= 0 || colon == value.Length - 1) return false;
        if (!int.TryParse(value.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535) return false;
        var host = value[..colon].Trim('[', ']');
        if (host.Length == 0) return false;
        endpoint = (host, port);
        return true;
    }
}
