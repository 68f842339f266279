using System.Text.Json;
using System.Text.Json.Serialization;
using Pwr.Core;

namespace Pwr.Chain;

/// <summary>A genesis account: initial balance and, optionally, its public key already set.</summary>
public sealed record GenesisAccount(Address Address, ulong Balance, byte[]? PublicKey = null);

/// <summary>The initial state of a chain: accounts, validators and claimed VM IDs. Its hash is block 0's hash.</summary>
public sealed class Genesis
{
    public required byte ChainId { get; init; }
    public required ulong TimestampMs { get; init; }
    public required IReadOnlyList<GenesisAccount> Accounts { get; init; }
    public required IReadOnlyList<Validator> Validators { get; init; }
    public IReadOnlyDictionary<ulong, Address> VmOwners { get; init; } = new Dictionary<ulong, Address>();

    /// <summary>Balances plus the validators' bonded genesis stake (power = stake units).</summary>
    public ulong TotalSupply => Validators.Aggregate(Accounts.Aggregate(0UL, (sum, a) => checked(sum + a.Balance)), (sum, v) => checked(sum + v.Power));

    /// <summary>The devnet validator's bonded stake: large enough that joins and delegations of up to half of it keep the
    /// devnet's single validator above the 2/3 it needs to commit alone.</summary>
    public const ulong DevnetValidatorStake = 1_000_000 * Units.PerPwr;

    /// <summary>
    /// The devnet: ten developer accounts of 100,000,000 PWR each with keys derived from a fixed seed,
    /// one validator, and the given VM IDs claimed by dev0. The timestamp is fixed so that every machine
    /// derives the same genesis hash.
    /// </summary>
    public static Genesis Devnet(IEnumerable<ulong> vmIds, byte chainId = 0x50, ulong validatorStake = DevnetValidatorStake)
    {
        var accounts = new List<GenesisAccount>();
        for (int i = 0; i < DevnetKeys.AccountCount; i++)
        {
            var key = DevnetKeys.Account(i);
            accounts.Add(new GenesisAccount(key.Address, 100_000_000 * Units.PerPwr, key.PublicKey));
        }
        var validator = DevnetKeys.Validator();
        accounts.Add(new GenesisAccount(validator.Address, 0, validator.PublicKey));
        var owner = accounts[0].Address;
        return new Genesis
        {
            ChainId = chainId,
            TimestampMs = 1_767_225_600_000, // 2026-01-01T00:00:00Z
            Accounts = accounts,
            Validators = [new Validator(validator.Address, validator.PublicKey, validatorStake)],
            VmOwners = vmIds.Distinct().ToDictionary(id => id, _ => owner),
        };
    }

    private sealed record Json(
        [property: JsonPropertyName("chainId")] byte ChainId,
        [property: JsonPropertyName("timestampMs")] ulong TimestampMs,
        [property: JsonPropertyName("accounts")] List<JsonAccount> Accounts,
        [property: JsonPropertyName("validators")] List<JsonValidator> Validators,
        [property: JsonPropertyName("vmOwners")] Dictionary<string, string> VmOwners);
    private sealed record JsonAccount(string Address, ulong Balance, string? PublicKey);
    private sealed record JsonValidator(string Address, string PublicKey, ulong Power);

    public string ToJson() => JsonSerializer.Serialize(new Json(
            ChainId, TimestampMs,
            Accounts.Select(a => new JsonAccount(a.Address.ToString(), a.Balance, a.PublicKey is null ? null : Hex.Encode(a.PublicKey))).ToList(),
            Validators.Select(v => new JsonValidator(v.Address.ToString(), Hex.Encode(v.PublicKey), v.Power)).ToList(),
            VmOwners.OrderBy(kv => kv.Key).ToDictionary(kv => kv.Key.ToString(System.Globalization.CultureInfo.InvariantCulture), kv => kv.Value.ToString())),
        new JsonSerializerOptions { WriteIndented = true });

    public static Genesis FromJson(string json)
    {
        var j = JsonSerializer.Deserialize<Json>(json) ?? throw new InvalidDataException("genesis JSON is empty");
        return new Genesis
        {
            ChainId = j.ChainId,
            TimestampMs = j.TimestampMs,
            Accounts = j.Accounts.Select(a => new GenesisAccount(Address.Parse(a.Address), a.Balance, a.PublicKey is null ? null : Hex.Decode(a.PublicKey))).ToList(),
            Validators = j.Validators.Select(v => new Validator(Address.Parse(v.Address), Hex.Decode(v.PublicKey), v.Power)).ToList(),
            VmOwners = j.VmOwners.ToDictionary(kv => ulong.Parse(kv.Key, System.Globalization.CultureInfo.InvariantCulture), kv => Address.Parse(kv.Value)),
        };
    }
}
