using System.Numerics;
using System.Text.Json;
using Pwr.Core;
using Pwr.Vm.Evm.Execution;
using Pwr.Vm.Evm.Numerics;
using static Pwr.Vm.Evm.Rpc.RpcJson;

namespace Pwr.Vm.Evm.Rpc;

/// <summary>One account of geth's state override set: what a call sees instead of the committed values.</summary>
/// <remarks><see cref="State"/> replaces the whole storage; <see cref="StateDiff"/> replaces only the slots it names.</remarks>
internal sealed class AccountOverride
{
    public UInt256? Balance { get; init; }
    public ulong? Nonce { get; init; }
    public byte[]? Code { get; init; }
    public Dictionary<UInt256, UInt256>? State { get; init; }
    public Dictionary<UInt256, UInt256>? StateDiff { get; init; }
}

/// <summary>Committed state seen through a state override set (eth_call, eth_estimateGas, debug_traceCall); never writes.</summary>
internal sealed class OverriddenState : IStateBackend
{
    private readonly IStateBackend _inner;
    private readonly Dictionary<Address, AccountOverride> _accounts;
    private readonly Dictionary<Hash32, byte[]> _code = [];

    public OverriddenState(IStateBackend inner, Dictionary<Address, AccountOverride> accounts)
    {
        _inner = inner;
        _accounts = accounts;
        foreach (var account in accounts.Values)
            if (account.Code is { } code) _code[Keccak.Hash256(code)] = code;
    }

    public bool TryGetAccount(in Address address, out AccountState account)
    {
        bool exists = _inner.TryGetAccount(address, out account);
        if (!_accounts.TryGetValue(address, out var o)) return exists;
        if (!exists) account = new AccountState(0, UInt256.Zero, AccountState.EmptyCodeHash);
        account = new AccountState(o.Nonce ?? account.Nonce, o.Balance ?? account.Balance,
            o.Code is { } code ? Keccak.Hash256(code) : account.CodeHash);
        return true;
    }

    public byte[] GetCode(in Hash32 codeHash) => _code.TryGetValue(codeHash, out var code) ? code : _inner.GetCode(codeHash);

    public UInt256 GetStorage(in Address address, in UInt256 slot)
    {
        if (_accounts.TryGetValue(address, out var o))
        {
            if (o.State is { } state) return state.GetValueOrDefault(slot);
            if (o.StateDiff is { } diff && diff.TryGetValue(slot, out var value)) return value;
        }
        return _inner.GetStorage(address, slot);
    }

    public bool HasStorage(in Address address)
    {
        if (!_accounts.TryGetValue(address, out var o)) return _inner.HasStorage(address);
        if (o.State is { } state) return state.Values.Any(v => !v.IsZero);
        return _inner.HasStorage(address) || (o.StateDiff?.Values.Any(v => !v.IsZero) ?? false);
    }

    /// <summary>Parses geth's override object <c>{address: {balance, nonce, code, state | stateDiff}}</c>.</summary>
    public static Dictionary<Address, AccountOverride> Parse(JsonElement overrides, string name)
    {
        if (overrides.ValueKind != JsonValueKind.Object) throw RpcException.Params($"invalid argument {name}: state override object expected");
        var accounts = new Dictionary<Address, AccountOverride>();
        foreach (var entry in overrides.EnumerateObject())
        {
            if (!Address.TryParse(entry.Name, out var address)) throw RpcException.Params($"invalid argument {name}: {entry.Name} is not an address");
            var o = entry.Value;
            if (o.ValueKind != JsonValueKind.Object) throw RpcException.Params($"invalid argument {name}: override of {entry.Name} must be an object");
            JsonElement v;
            bool Has(string field, out JsonElement value) => o.TryGetProperty(field, out value) && value.ValueKind != JsonValueKind.Null;
            if (Has("movePrecompileToAddress", out _)) throw RpcException.Params($"invalid argument {name}: movePrecompileToAddress is not supported");
            bool hasState = Has("state", out var state), hasDiff = Has("stateDiff", out var diff);
            if (hasState && hasDiff) throw RpcException.Params($"invalid argument {name}: account {entry.Name} has both 'state' and 'stateDiff'");
            BigInteger balance = Has("balance", out v) ? ParseQuantity(v, "balance") : -1;
            if (balance.GetBitLength() > 256) throw RpcException.Params($"invalid argument {name}: balance of {entry.Name} exceeds 256 bits");
            accounts[address] = new AccountOverride
            {
                Balance = balance >= 0 ? UInt256.FromBigInteger(balance) : null,
                Nonce = Has("nonce", out v) ? ParseU64(v, "nonce") : null,
                Code = Has("code", out v) ? ParseData(v, "code") : null,
                State = hasState ? Slots(state) : null,
                StateDiff = hasDiff ? Slots(diff) : null,
            };
        }
        return accounts;

        Dictionary<UInt256, UInt256> Slots(JsonElement slots)
        {
            if (slots.ValueKind != JsonValueKind.Object) throw RpcException.Params($"invalid argument {name}: state and stateDiff map slots to values");
            var result = new Dictionary<UInt256, UInt256>();
            foreach (var slot in slots.EnumerateObject())
            {
                if (!Hash32.TryParse(slot.Name, out var key)) throw RpcException.Params($"invalid argument {name}: slot {slot.Name} is not 32 bytes of hex");
                result[new UInt256(key.ToArray())] = new UInt256(ParseHash(slot.Value, "slot value").ToArray());
            }
            return result;
        }
    }
}
