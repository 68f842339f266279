using Pwr.Core;

namespace Pwr.Chain;

/// <summary>The validators of a height, sorted by address, with the hash that block headers commit to.</summary>
public sealed class ValidatorSet
{
    public ValidatorSet(IEnumerable<Validator> validators)
    {
        Validators = validators.OrderBy(v => v.Address).ToArray();
        if (Validators.Count == 0) throw new ArgumentException("a validator set needs at least one validator");
        if (Validators.Select(v => v.Address).Distinct().Count() != Validators.Count) throw new ArgumentException("duplicate validator address");
        foreach (var v in Validators)
        {
            if (!Falcon512.IsWellFormedPublicKey(v.PublicKey)) throw new ArgumentException($"validator {v.Address} has no valid Falcon-512 key");
            if (Address.FromPublicKey(v.PublicKey) != v.Address) throw new ArgumentException($"validator {v.Address} does not match its public key");
            if (v.Power == 0) throw new ArgumentException($"validator {v.Address} has zero power");
            TotalPower = checked(TotalPower + v.Power);
        }
        var hasher = new Keccak.Hasher();
        Span<byte> buf = stackalloc byte[Address.Size + 8 + Hash32.Size];
        foreach (var v in Validators)
        {
            var w = new BigEndianWriter(buf);
            w.WriteAddress(v.Address);
            w.WriteU64(v.Power);
            w.WriteHash(Keccak.Hash256(v.PublicKey));
            hasher.Update(buf);
        }
        Hash = hasher.Finish();
    }

    public IReadOnlyList<Validator> Validators { get; }
    public ulong TotalPower { get; }
    public Hash32 Hash { get; }

    public Validator? Find(Address address)
    {
        foreach (var v in Validators) if (v.Address == address) return v;
        return null;
    }

    /// <summary>Power strictly above two thirds of the total: what a commit needs.</summary>
    public bool IsQuorum(ulong power) => (UInt128)power * 3 > (UInt128)TotalPower * 2;
}
