using Pwr.Core;

namespace Pwr.Chain;

/// <summary>
/// One block's staking changes over the committed <see cref="StakingState"/>: reads fall through, writes stay here
/// until the block is prepared. Balances move through the caller's account overlay (the delegates passed in).
/// </summary>
public sealed class StakingOverlay(StakingState committed)
{
    private readonly Dictionary<Address, ValidatorStake> _validators = [];
    private readonly Dictionary<(Address, Address), ulong> _shares = [];
    private readonly Dictionary<ulong, List<UnbondingEntry>> _unbonding = [];
    private List<Address>? _candidates;
    private StakingTotals? _totals;

    /// <summary>True once a validator record changed this block: the next set must be recomputed.</summary>
    public bool ValidatorsChanged { get; private set; }
    public bool IsEmpty => _validators.Count == 0 && _shares.Count == 0 && _unbonding.Count == 0 && _candidates is null && _totals is null;

    public StakingTotals Totals
    {
        get => _totals ?? committed.Totals;
        private set => _totals = value;
    }

    public ValidatorStake? GetValidator(Address v) => _validators.TryGetValue(v, out var s) ? s : committed.GetValidator(v);

    public ulong GetShares(Address v, Address d) => _shares.TryGetValue((v, d), out var s) ? s : committed.GetShares(v, d);

    private List<UnbondingEntry> Unbonding(ulong maturity)
    {
        if (!_unbonding.TryGetValue(maturity, out var list)) _unbonding[maturity] = list = [.. committed.GetUnbonding(maturity)];
        return list;
    }

    private List<Address> Candidates() => _candidates ??= [.. committed.GetCandidates()];

    private void SetValidator(ValidatorStake v)
    {
        _validators[v.Address] = v;
        ValidatorsChanged = true;
    }

    /// <summary>Registers a validator with its self-stake (already taken from its balance).</summary>
    public void Join(Address validator, byte[] publicKey, ulong stake, ulong height)
    {
        SetValidator(new ValidatorStake(validator, publicKey, stake, stake, stake, false, height, []));
        _shares[(validator, validator)] = stake;
        var candidates = Candidates();
        int at = candidates.BinarySearch(validator);
        if (at < 0) candidates.Insert(~at, validator);
        Totals = Totals with { Bonded = checked(Totals.Bonded + stake) };
    }

    /// <summary>Bonds units (already taken from the delegator's balance). Only untombstoned validators take stake, and
    /// their tokens equal their shares, so one unit buys one share.</summary>
    public void Delegate(ValidatorStake v, Address delegator, ulong amount)
    {
        SetValidator(v with
        {
            Tokens = checked(v.Tokens + amount),
            Shares = checked(v.Shares + amount),
            SelfShares = delegator == v.Address ? checked(v.SelfShares + amount) : v.SelfShares,
        });
        _shares[(v.Address, delegator)] = checked(GetShares(v.Address, delegator) + amount);
        Totals = Totals with { Bonded = checked(Totals.Bonded + amount) };
    }

    /// <summary>Turns shares into an unbonding entry that matures at <paramref name="maturity"/>; returns the units.</summary>
    public ulong Undelegate(ValidatorStake v, Address delegator, ulong shares, ulong maturity)
    {
        ulong units = v.TokensFor(shares);
        var heights = v.UnbondingHeights;
        if (units > 0 && !heights.Contains(maturity)) heights = [.. heights, maturity];
        SetValidator(v with
        {
            Tokens = v.Tokens - units,
            Shares = v.Shares - shares,
            SelfShares = delegator == v.Address ? v.SelfShares - shares : v.SelfShares,
            UnbondingHeights = heights,
        });
        _shares[(v.Address, delegator)] = GetShares(v.Address, delegator) - shares;
        if (units > 0)
        {
            var queue = Unbonding(maturity);
            int i = queue.FindIndex(e => e.Validator == v.Address && e.Delegator == delegator);
            if (i >= 0) queue[i] = queue[i] with { Amount = checked(queue[i].Amount + units) };
            else queue.Add(new UnbondingEntry(v.Address, delegator, units));
        }
        Totals = Totals with { Bonded = Totals.Bonded - units, Unbonding = checked(Totals.Unbonding + units) };
        return units;
    }

    /// <summary>Removes the entries that mature at <paramref name="height"/> and pays each through <paramref name="credit"/>.</summary>
    public void ReleaseMatured(ulong height, Action<Address, ulong> credit)
    {
        var queue = committed.GetUnbonding(height);
        if (queue.Count == 0 && !_unbonding.ContainsKey(height)) return;
        var entries = Unbonding(height);
        ulong released = 0;
        foreach (var e in entries)
        {
            credit(e.Delegator, e.Amount);
            released = checked(released + e.Amount);
            if (GetValidator(e.Validator) is { } v && v.UnbondingHeights.Contains(height))
            {
                // Only the list of maturity heights changes: the voting power does not.
                _validators[v.Address] = v with { UnbondingHeights = [.. v.UnbondingHeights.Where(h => h != height)] };
            }
        }
        entries.Clear();
        Totals = Totals with { Unbonding = Totals.Unbonding - released };
    }

    /// <summary>Burns <paramref name="percent"/> of the validator's bonded tokens and unbonding entries and tombstones it.</summary>
    public ulong Slash(ValidatorStake v, int percent)
    {
        ulong burnedTokens = (ulong)((UInt128)v.Tokens * (ulong)percent / 100);
        ulong burnedUnbonding = 0;
        foreach (var maturity in v.UnbondingHeights)
        {
            var queue = Unbonding(maturity);
            for (int i = 0; i < queue.Count; i++)
            {
                if (queue[i].Validator != v.Address) continue;
                ulong burn = (ulong)((UInt128)queue[i].Amount * (ulong)percent / 100);
                queue[i] = queue[i] with { Amount = queue[i].Amount - burn };
                burnedUnbonding += burn;
            }
        }
        SetValidator(v with { Tokens = v.Tokens - burnedTokens, Tombstoned = true });
        Candidates().Remove(v.Address);
        Totals = new StakingTotals(Totals.Bonded - burnedTokens, Totals.Unbonding - burnedUnbonding, checked(Totals.Burned + burnedTokens + burnedUnbonding));
        return burnedTokens + burnedUnbonding;
    }

    /// <summary>
    /// The active set after this block: the top <paramref name="max"/> candidates by tokens (ties by address), power =
    /// tokens, leaving out tombstoned ones, those without tokens and those whose self-stake is below the minimum.
    /// Null when none qualifies (a chain never runs without validators, so the set then stays as it was).
    /// </summary>
    public ValidatorSet? ComputeActiveSet(int max, ulong minSelfStake)
    {
        var chosen = new List<ValidatorStake>();
        foreach (var address in _candidates ?? committed.GetCandidates())
        {
            if (GetValidator(address) is not { } v || v.Tombstoned || v.Tokens == 0 || v.TokensFor(v.SelfShares) < minSelfStake) continue;
            chosen.Add(v);
        }
        if (chosen.Count == 0) return null;
        chosen.Sort((a, b) => a.Tokens != b.Tokens ? b.Tokens.CompareTo(a.Tokens) : a.Address.CompareTo(b.Address));
        return new ValidatorSet(chosen.Take(max).Select(v => new Validator(v.Address, v.PublicKey, v.Tokens)));
    }

    /// <summary>The byte-level changes for the staking tree (null value = delete).</summary>
    public Dictionary<byte[], byte[]?> ToChanges()
    {
        var changes = new Dictionary<byte[], byte[]?>(Storage.ByteArrayComparer.Instance);
        if (_totals is { } t) changes[StakingKeys.Totals] = t.Encode();
        if (_candidates is { } c) changes[StakingKeys.Candidates] = c.Count == 0 ? null : StakingKeys.EncodeAddresses(c);
        foreach (var (a, v) in _validators) changes[StakingKeys.Validator(a)] = v.Encode();
        foreach (var ((v, d), s) in _shares) changes[StakingKeys.Delegation(v, d)] = s == 0 ? null : StakingKeys.U64(s);
        foreach (var (m, list) in _unbonding) changes[StakingKeys.Unbonding(m)] = list.Count == 0 ? null : UnbondingEntry.EncodeList(list);
        return changes;
    }
}
