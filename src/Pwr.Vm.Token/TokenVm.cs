using System.Buffers.Binary;
using System.Text;
using Pwr.Core;

namespace Pwr.Vm.Token;

/// <summary>
/// The example VM: named fungible tokens that anyone can create and transfer. Read this to write a VM.
/// </summary>
/// <remarks>
/// <para>Payload (the VmData transaction's data), all integers big-endian:</para>
/// <code>
/// op u8 = 1  CreateToken: symbol-length u8 ‖ symbol ‖ supply u64                    (the sender gets the supply)
/// op u8 = 2  Transfer:    symbol-length u8 ‖ symbol ‖ receiver (20 bytes) ‖ amount u64 (from the sender)
/// symbol = 1–12 ASCII characters of [A-Z0-9]
/// </code>
/// <para>State keys: <c>"t:" ‖ symbol</c> → creator (20 bytes) ‖ supply u64; <c>"b:" ‖ symbol ‖ ":" ‖ address (20 raw
/// bytes)</c> → balance u64 (absent = 0: a balance that reaches zero is deleted, so equal holdings give equal state).</para>
/// <para>Rules a VM must follow (DESIGN "VM host contract"): read only the block and the state, never the clock, randomness,
/// floating point or hash-ordered iteration; so every machine replaying the same blocks gets the same root. A payload
/// anyone can send must never throw: a bad or failing transaction simply changes nothing (it is still in the base-layer
/// block and paid its fee there). The PWR value a transaction carries is ignored by this VM.</para>
/// </remarks>
public sealed class TokenVm(ulong vmId) : IVirtualMachine
{
    private const int MaxKeySize = 2 + TokenPayload.MaxSymbolLength + 1 + Address.Size;

    public ulong VmId { get; } = vmId;

    public void ExecuteBlock(VmBlock block, IVmState state)
    {
        // In block order: a transfer may spend what an earlier transaction of the same block created or received.
        foreach (var tx in block.Transactions) Execute(state, tx.Sender, tx.Data.Span);
    }

    /// <summary>The binary Merkle root the host maintains over our keys: a token VM needs no commitment of its own.</summary>
    public Hash32 StateRoot(IVmState state) => state.MerkleRoot();

    /// <summary>Executes one payload from <paramref name="sender"/>; state changes only when the result is <see cref="TokenResult.Ok"/>.</summary>
    public static TokenResult Execute(IVmState state, Address sender, ReadOnlySpan<byte> payload)
    {
        var r = new BigEndianReader(payload);
        if (!r.TryReadU8(out byte op) || !r.TryReadU8(out byte length) || !r.TryReadBytes(length, out var symbol)) return TokenResult.Malformed;
        if (!TokenPayload.IsValidSymbol(symbol)) return TokenResult.BadSymbol;
        switch (op)
        {
            case TokenPayload.CreateOp:
                if (!r.TryReadU64(out ulong supply) || r.Remaining != 0) return TokenResult.Malformed;
                return Create(state, sender, symbol, supply);
            case TokenPayload.TransferOp:
                if (!r.TryReadAddress(out var to) || !r.TryReadU64(out ulong amount) || r.Remaining != 0) return TokenResult.Malformed;
                return Transfer(state, sender, symbol, to, amount);
            default:
                return TokenResult.Malformed;
        }
    }

    /// <summary>The balance of <paramref name="owner"/> in <paramref name="symbol"/>: from a <see cref="VmStore"/> for queries, or any state.</summary>
    public static ulong BalanceOf(IVmStateReader state, string symbol, Address owner)
    {
        if (!TokenPayload.IsValidSymbol(symbol)) return 0;
        Span<byte> key = stackalloc byte[MaxKeySize];
        return ReadBalance(state, BalanceKey(Encoding.ASCII.GetBytes(symbol), owner, key));
    }

    /// <summary>The creator and total supply of a token, if it exists.</summary>
    public static bool TryGetToken(IVmStateReader state, string symbol, out Address creator, out ulong supply)
    {
        creator = default;
        supply = 0;
        if (!TokenPayload.IsValidSymbol(symbol)) return false;
        Span<byte> key = stackalloc byte[MaxKeySize];
        if (state.Get(TokenKey(Encoding.ASCII.GetBytes(symbol), key)) is not { Length: Address.Size + 8 } record) return false;
        creator = new Address(record.AsSpan(0, Address.Size));
        supply = BinaryPrimitives.ReadUInt64BigEndian(record.AsSpan(Address.Size));
        return true;
    }

    private static TokenResult Create(IVmState state, Address creator, ReadOnlySpan<byte> symbol, ulong supply)
    {
        Span<byte> key = stackalloc byte[MaxKeySize];
        var tokenKey = TokenKey(symbol, key);
        if (state.Get(tokenKey) is not null) return TokenResult.SymbolExists;
        Span<byte> record = stackalloc byte[Address.Size + 8];
        creator.WriteTo(record);
        BinaryPrimitives.WriteUInt64BigEndian(record[Address.Size..], supply);
        state.Set(tokenKey, record);
        WriteBalance(state, BalanceKey(symbol, creator, key), supply);
        return TokenResult.Ok;
    }

    private static TokenResult Transfer(IVmState state, Address from, ReadOnlySpan<byte> symbol, Address to, ulong amount)
    {
        if (amount == 0) return TokenResult.ZeroAmount;
        Span<byte> key = stackalloc byte[MaxKeySize];
        var fromKey = BalanceKey(symbol, from, key);
        ulong fromBalance = ReadBalance(state, fromKey);
        if (fromBalance < amount) return TokenResult.InsufficientBalance;
        // Debit before reading the receiver, so a transfer to oneself reads the debited balance and nets to zero.
        WriteBalance(state, fromKey, fromBalance - amount);
        var toKey = BalanceKey(symbol, to, key);
        // Cannot overflow: all balances of a token add up to its supply, a u64.
        WriteBalance(state, toKey, ReadBalance(state, toKey) + amount);
        return TokenResult.Ok;
    }

    private static ulong ReadBalance(IVmStateReader state, ReadOnlySpan<byte> key)
        => state.Get(key) is { Length: 8 } value ? BinaryPrimitives.ReadUInt64BigEndian(value) : 0;

    private static void WriteBalance(IVmState state, ReadOnlySpan<byte> key, ulong balance)
    {
        if (balance == 0)
        {
            state.Delete(key);
            return;
        }
        Span<byte> value = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64BigEndian(value, balance);
        state.Set(key, value);
    }

    private static Span<byte> TokenKey(ReadOnlySpan<byte> symbol, Span<byte> buffer)
    {
        "t:"u8.CopyTo(buffer);
        symbol.CopyTo(buffer[2..]);
        return buffer[..(2 + symbol.Length)];
    }

    private static Span<byte> BalanceKey(ReadOnlySpan<byte> symbol, Address owner, Span<byte> buffer)
    {
        "b:"u8.CopyTo(buffer);
        symbol.CopyTo(buffer[2..]);
        buffer[2 + symbol.Length] = (byte)':';
        owner.WriteTo(buffer[(3 + symbol.Length)..]);
        return buffer[..(3 + symbol.Length + Address.Size)];
    }
}
