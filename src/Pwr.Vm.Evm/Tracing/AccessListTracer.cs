using Pwr.Core;
using Pwr.Vm.Evm.Execution;
using Pwr.Vm.Evm.Numerics;
using Pwr.Vm.Evm.Precompiles;

namespace Pwr.Vm.Evm.Tracing;

/// <summary>
/// geth's access-list tracer for eth_createAccessList: the storage slots SLOAD/SSTORE touch (with their contract) and
/// the addresses BALANCE, EXTCODE*, SELFDESTRUCT and the calls name, reverted frames included; the sender, the
/// recipient (or created contract) and the precompiles are left out as addresses, though the recipient's slots are kept.
/// Runs on the interpreter's opcode-by-opcode loop.
/// </summary>
public sealed class AccessListTracer
{
    private readonly SortedDictionary<Address, SortedSet<UInt256>> _list = [];
    private Address _sender, _recipient;

    /// <param name="seed">Entries kept as they are (eth_createAccessList starts each round from the last one's list).</param>
    public AccessListTracer(IEnumerable<AccessListEntry>? seed = null)
    {
        foreach (var entry in seed ?? []) Slots(entry.Address).UnionWith(entry.StorageKeys);
    }

    /// <summary>The transaction starts: its sender and recipient (or new contract) are never listed as addresses.</summary>
    internal void Begin(in Address sender, in Address recipient)
    {
        _sender = sender;
        _recipient = recipient;
    }

    /// <summary>Whether two lists name the same addresses with the same keys.</summary>
    public static bool SameList(IReadOnlyList<AccessListEntry> a, IReadOnlyList<AccessListEntry> b)
    {
        if (a.Count != b.Count) return false;
        var keys = new Dictionary<Address, HashSet<UInt256>>();
        foreach (var entry in a) keys[entry.Address] = [.. entry.StorageKeys];
        foreach (var entry in b)
            if (!keys.TryGetValue(entry.Address, out var set) || !set.SetEquals(entry.StorageKeys)) return false;
        return keys.Count == b.Count;
    }

    /// <summary>The list in address and key order, as <see cref="EvmTransaction.AccessList"/> takes it.</summary>
    public IReadOnlyList<AccessListEntry> AccessList()
    {
        var entries = new List<AccessListEntry>(_list.Count);
        foreach (var (address, keys) in _list) entries.Add(new AccessListEntry(address, [.. keys]));
        return entries;
    }

    internal void Step(byte op, ReadOnlySpan<UInt256> stack, in Address self)
    {
        switch (op)
        {
            case 0x54 or 0x55 when stack.Length >= 1:
                Slots(self).Add(stack[^1]);
                break;
            case 0x31 or 0x3b or 0x3c or 0x3f or 0xff when stack.Length >= 1:
                AddAddress(Execution.Evm.ToAddress(stack[^1]));
                break;
            case 0xf1 or 0xf2 or 0xf4 or 0xfa when stack.Length >= 5:
                AddAddress(Execution.Evm.ToAddress(stack[^2]));
                break;
        }
    }

    private void AddAddress(in Address address)
    {
        if (address == _sender || address == _recipient || address.SmallId(PrecompileSet.Count) != 0) return;
        Slots(address);
    }

    private SortedSet<UInt256> Slots(in Address address)
    {
        if (!_list.TryGetValue(address, out var keys)) _list[address] = keys = [];
        return keys;
    }
}
