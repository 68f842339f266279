using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Pwr.Chain;
using Pwr.Core;

namespace Pwr.Node;

/// <summary>Staking reads of the PWR HTTP API: the active validator set, stakes, and where the supply is.</summary>
public static class StakingEndpoints
{
    public static void Map(WebApplication app, ChainApplication chain)
    {
        app.MapGet("/validators", () => Validators(chain));
        app.MapGet("/stakeOf", (HttpContext c) => StakeOf(c, chain));
        app.MapGet("/totalSupply", (HttpContext c) => TotalSupply(c, chain));
    }

    /// <summary>The set for the next height, highest power first.</summary>
    private static IResult Validators(ChainApplication chain)
    {
        var set = chain.Validators;
        return Results.Json(new
        {
            height = chain.LastHeader.Number + 1,
            totalPower = set.TotalPower,
            validatorSetHash = set.Hash.ToString(),
            validators = set.Validators.OrderByDescending(v => v.Power).ThenBy(v => v.Address)
                .Select(v => new { address = v.Address.ToString(), power = v.Power }),
        });
    }

    private static IResult StakeOf(HttpContext c, ChainApplication chain)
    {
        if (!Address.TryParse(c.Request.Query["validator"], out var validator)) return Error(400, "query parameter 'validator' must be a 20-byte hex address");
        if (!Address.TryParse(c.Request.Query["delegator"], out var delegator)) return Error(400, "query parameter 'delegator' must be a 20-byte hex address");
        var staking = chain.Ledger.Staking;
        var record = staking.GetValidator(validator);
        return Results.Json(new
        {
            validator = validator.ToString(),
            delegator = delegator.ToString(),
            stake = staking.StakeOf(validator, delegator),
            shares = staking.GetShares(validator, delegator),
            isValidator = record is not null,
            tombstoned = record?.Tombstoned ?? false,
            validatorPower = record?.Tokens ?? 0,
        });
    }

    /// <summary>
    /// Balances follow from conservation (genesis supply − bonded − unbonding − burned) so the call is cheap;
    /// ?audit=true sums every account instead, a full scan.
    /// </summary>
    private static IResult TotalSupply(HttpContext c, ChainApplication chain)
    {
        bool audit = string.Equals(c.Request.Query["audit"], "true", StringComparison.OrdinalIgnoreCase);
        SupplyBreakdown s;
        if (audit) s = chain.ComputeSupply();
        else
        {
            var t = chain.Ledger.Staking.Totals;
            s = new SupplyBreakdown(chain.Genesis.TotalSupply - t.Bonded - t.Unbonding - t.Burned, t.Bonded, t.Unbonding, t.Burned);
        }
        return Results.Json(new
        {
            balances = s.Balances,
            bonded = s.Bonded,
            unbonding = s.Unbonding,
            burned = s.Burned,
            total = s.Total,
            genesisSupply = chain.Genesis.TotalSupply,
            audited = audit,
        });
    }

    private static IResult Error(int status, string message) => Results.Json(new { error = message }, statusCode: status);
}
