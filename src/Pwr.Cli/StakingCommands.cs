using System.CommandLine;
using System.Text.Json;
using Pwr.Core;
using Spectre.Console;

namespace Pwr.Cli;

/// <summary>`pwr validator join`, `pwr stake delegate|undelegate|show` and `pwr validators`.</summary>
public static class StakingCommands
{
    private static Option<string> FromOption => Commands.FromOption;
    private static Option<bool> NoWaitOption => Commands.NoWaitOption;

    public static void AddTo(RootCommand root, Option<string> node)
    {
        root.Subcommands.Add(Validator(node));
        root.Subcommands.Add(Stake(node));
        root.Subcommands.Add(Validators(node));
    }

    private static Command Validator(Option<string> node)
    {
        var stake = new Option<string>("--stake") { Description = "initial self-stake: units (1 PWR = 10^9 units), or e.g. 1000PWR", Required = true };
        var join = new Command("join", "become a validator candidate with a self-stake; active from the next height if among the top by stake") { stake, FromOption, NoWaitOption };
        join.SetAction((p, ct) => Commands.Run(() =>
        {
            var units = ParseUnits(p.GetValue(stake), "--stake");
            return Commands.SendAsync(p, (c, n, f, k) => TransactionBuilder.JoinAsValidator(c, n, f, k.Address, units), ct);
        }));
        return new Command("validator", "validator candidacy") { join };
    }

    private static Command Stake(Option<string> node)
    {
        var validator = new Option<string>("--validator") { Description = "validator: hex address or dev0…dev9", Required = true };
        var amount = new Option<string>("--amount") { Description = "units (1 PWR = 10^9 units), or e.g. 1.5PWR", Required = true };
        var delegate_ = new Command("delegate", "bond PWR to a validator (raises its power from the next height)") { validator, amount, FromOption, NoWaitOption };
        delegate_.SetAction((p, ct) => Commands.Run(() =>
        {
            var v = KeyArgument.ResolveAddress(p.GetValue(validator)!);
            var units = ParseUnits(p.GetValue(amount), "--amount");
            return Commands.SendAsync(p, (c, n, f, k) => TransactionBuilder.Delegate(c, n, f, k.Address, v, units), ct);
        }));
        var undelegate = new Command("undelegate", "start unbonding stake; the PWR returns to the balance after the unbonding period") { validator, amount, FromOption, NoWaitOption };
        undelegate.SetAction((p, ct) => Commands.Run(() =>
        {
            var v = KeyArgument.ResolveAddress(p.GetValue(validator)!);
            var units = ParseUnits(p.GetValue(amount), "--amount");
            return Commands.SendAsync(p, (c, n, f, k) => TransactionBuilder.Undelegate(c, n, f, k.Address, v, units), ct);
        }));
        var delegator = new Option<string>("--delegator") { Description = "delegator: hex address or dev0…dev9", Required = true };
        var show = new Command("show", "show a delegator's stake with a validator") { validator, delegator };
        show.SetAction((p, ct) => Commands.Run(async () =>
        {
            using var client = new ChainClient(p.GetValue(node)!);
            var v = KeyArgument.ResolveAddress(p.GetValue(validator)!);
            var d = KeyArgument.ResolveAddress(p.GetValue(delegator)!);
            var s = await client.GetAsync($"/stakeOf?validator={v}&delegator={d}", ct);
            var units = s.GetProperty("stake").GetUInt64();
            Console.WriteLine($"{d} has {Units.Format(units)} ({units} units) staked with {v}{(s.GetProperty("tombstoned").GetBoolean() ? " (tombstoned)" : "")}");
            return 0;
        }));
        return new Command("stake", "delegate and undelegate PWR") { delegate_, undelegate, show };
    }

    private static Command Validators(Option<string> node)
    {
        var cmd = new Command("validators", "show the active validator set for the next height");
        cmd.SetAction((p, ct) => Commands.Run(async () =>
        {
            using var client = new ChainClient(p.GetValue(node)!);
            var set = await client.GetAsync("/validators", ct);
            var total = set.GetProperty("totalPower").GetUInt64();
            var table = new Table().AddColumn("address").AddColumn(new TableColumn("power (units)").RightAligned()).AddColumn(new TableColumn("share").RightAligned());
            foreach (var v in set.GetProperty("validators").EnumerateArray())
            {
                var power = v.GetProperty("power").GetUInt64();
                table.AddRow(v.GetProperty("address").GetString()!, power.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    (total == 0 ? 0 : (double)power / total).ToString("P2", System.Globalization.CultureInfo.InvariantCulture));
            }
            table.Caption($"height {set.GetProperty("height").GetUInt64()}, total power {total}");
            AnsiConsole.Write(table);
            return 0;
        }));
        return cmd;
    }

    private static ulong ParseUnits(string? text, string name)
        => Units.TryParse(text, out var units) ? units : throw new ArgumentException($"{name} '{text}' is not a unit count or a PWR amount like 1.5PWR");
}
