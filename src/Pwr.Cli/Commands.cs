using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Pwr.Core;
using Pwr.Vm;
using Pwr.Vm.Token;
using Spectre.Console;

namespace Pwr.Cli;

/// <summary>The `pwr` command tree.</summary>
public static class Commands
{
    private static readonly Option<string> NodeOption = new("--node") { Description = "PWR HTTP API of the node", DefaultValueFactory = _ => "http://127.0.0.1:8085", Recursive = true };

    public static void AddAll(RootCommand root)
    {
        root.Options.Add(NodeOption);
        root.Subcommands.Add(Devnet());
        root.Subcommands.Add(Account());
        root.Subcommands.Add(Balance());
        root.Subcommands.Add(Transfer());
        root.Subcommands.Add(Vm());
        root.Subcommands.Add(BlockCommand());
        root.Subcommands.Add(TxCommand());
        root.Subcommands.Add(BenchCommands.Create(NodeOption));
        root.Subcommands.Add(EvmCommands.Create());
        NetworkCommands.AddTo(root);
        StakingCommands.AddTo(root, NodeOption);
    }

    private static Command Devnet()
    {
        var dataDir = new Option<string>("--data-dir") { Description = "where the chain and VM data live", DefaultValueFactory = _ => Path.Combine(".pwr", "devnet") };
        var blockTime = new Option<int>("--block-time") { Description = "block interval in milliseconds", DefaultValueFactory = _ => 1000 };
        var reset = new Option<bool>("--reset") { Description = "delete the data directory first and start from genesis" };
        var port = new Option<int>("--port") { Description = "PWR HTTP API port", DefaultValueFactory = _ => 8085 };
        var verbose = new Option<bool>("--verbose") { Description = "log every block" };
        var evmRpcPort = new Option<int>("--evm-rpc-port") { Description = "Ethereum JSON-RPC port on 127.0.0.1 (0 = off)", DefaultValueFactory = _ => 8545 };
        var cmd = new Command("devnet", "run a single-validator devnet with the token VM and the EVM; prints the API URLs and dev accounts") { dataDir, blockTime, reset, port, verbose, evmRpcPort };
        cmd.SetAction((p, ct) => Run(async () =>
        {
            using var loggers = LoggerFactory.Create(b => b
                .AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = "HH:mm:ss "; })
                .SetMinimumLevel(p.GetValue(verbose) ? LogLevel.Debug : LogLevel.Information)
                .AddFilter("Microsoft", LogLevel.Warning));
            AnsiConsole.MarkupLine("[grey]Deriving the devnet keys and opening the data directory…[/]");
            await using var devnet = await DevnetHost.StartAsync(new DevnetOptions
            {
                DataDir = p.GetValue(dataDir)!,
                BlockTime = TimeSpan.FromMilliseconds(p.GetValue(blockTime)),
                Reset = p.GetValue(reset),
                ApiPort = p.GetValue(port),
                EvmRpcPort = p.GetValue(evmRpcPort) is > 0 and var rpcPort ? rpcPort : null,
            }, loggers);
            PrintDevnet(devnet, p.GetValue(dataDir)!);
            var stopped = new TaskCompletionSource();
            using var reg = ct.Register(() => stopped.TrySetResult());
            using var reg2 = devnet.Node.Stopping.Register(() => stopped.TrySetResult());
            await Task.WhenAny(stopped.Task, devnet.Node.EngineTask);
            if (devnet.Node.EngineTask.IsFaulted)
            {
                AnsiConsole.MarkupLine($"[red]Block production stopped:[/] {Markup.Escape(devnet.Node.EngineTask.Exception!.InnerException!.Message)}");
                return 1;
            }
            AnsiConsole.MarkupLine("[grey]Stopping…[/]");
            return 0;
        }));
        return cmd;
    }

    private static void PrintDevnet(DevnetHost devnet, string dataDir)
    {
        var chain = devnet.Node.Chain;
        AnsiConsole.MarkupLine($"[bold green]PWR devnet running[/]  API [link]{devnet.Node.ApiUrl}[/]  chain id {chain.ChainId}  data {Markup.Escape(Path.GetFullPath(dataDir))}");
        var table = new Table().AddColumns("name", "address", "balance", "key file");
        for (int i = 0; i < DevnetKeys.AccountCount; i++)
        {
            var a = DevnetKeys.Account(i).Address;
            table.AddRow($"dev{i}", a.ToString(), Units.Format(chain.Ledger.GetAccount(a).Balance), Markup.Escape(Path.Combine(devnet.KeysDir, $"dev{i}.json")));
        }
        AnsiConsole.Write(table);
        var vms = new Table().AddColumns("VM ID", "VM", "owner", "height");
        foreach (var host in devnet.VmHosts)
            vms.AddRow(host.VmId.ToString(CultureInfo.InvariantCulture), host.VmId switch { DevnetHost.TokenVmId => "token VM (example)", DevnetHost.EvmVmId => "EVM", _ => "extra" }, chain.Ledger.GetVmOwner(host.VmId)?.ToString() ?? "-", host.Height.ToString(CultureInfo.InvariantCulture));
        AnsiConsole.Write(vms);
        PrintEvm(devnet);
        AnsiConsole.MarkupLine("Try: [bold]./pwr transfer --from dev0 --to dev1 --amount 1PWR[/]   Ctrl-C stops the devnet (data is kept; --reset starts over).");
    }

    private static void PrintEvm(DevnetHost devnet)
    {
        if (devnet.EvmRpc is null)
        {
            if (devnet.EvmRpcError is { } error) AnsiConsole.MarkupLine($"[yellow]Ethereum JSON-RPC not started:[/] {Markup.Escape(error)}");
            return;
        }
        Console.WriteLine($"Ethereum JSON-RPC: {devnet.EvmRpc.Url} (chain id {devnet.EvmOptions.ChainId})");
        // Plain lines, as Anvil prints them: a table would wrap the keys on narrow terminals.
        Console.WriteLine("Available accounts (10000 ETH each) and their private keys:");
        for (int i = 0; i < Pwr.Vm.Evm.Vm.AnvilAccounts.Addresses.Count; i++)
            Console.WriteLine($"({i}) {Pwr.Vm.Evm.Vm.AnvilAccounts.AddressStrings[i]}  {Pwr.Vm.Evm.Vm.AnvilAccounts.PrivateKeyStrings[i]}");
        AnsiConsole.MarkupLine($"[grey]Anvil/Hardhat accounts (mnemonic \"{Pwr.Vm.Evm.Vm.AnvilAccounts.Mnemonic}\"); the wrapper pays PWR fees as dev{DevnetHost.EvmWrapperAccount}.[/]");
    }

    private static Command Account()
    {
        var output = new Option<string?>("--out") { Description = "key file to write (default: ./<address>.json)" };
        var create = new Command("new", "create a Falcon-512 key pair and save it as a key file") { output };
        create.SetAction(p =>
        {
            var key = Falcon512.Generate();
            var path = p.GetValue(output) ?? $"{key.Address}.json";
            if (File.Exists(path)) { AnsiConsole.MarkupLine($"[red]{Markup.Escape(path)} exists; refusing to overwrite a key file[/]"); return 1; }
            KeyFile.Save(path, key);
            AnsiConsole.MarkupLine($"address [bold]{key.Address}[/]\nkey file {Markup.Escape(Path.GetFullPath(path))}\nIts first transaction must carry its public key; `pwr transfer` and `pwr vm …` do that for you.");
            return 0;
        });
        return new Command("account", "manage keys") { create };
    }

    private static Command Balance()
    {
        var address = new Argument<string>("address") { Description = "hex address or dev0…dev9" };
        var cmd = new Command("balance", "show an account's PWR balance and nonce") { address };
        cmd.SetAction((p, ct) => Run(async () =>
        {
            using var client = new ChainClient(p.GetValue(NodeOption)!);
            var a = KeyArgument.ResolveAddress(p.GetValue(address)!);
            var balance = await client.BalanceAsync(a, ct);
            var nonce = await client.NonceAsync(a, ct);
            Console.WriteLine($"{a}  {Units.Format(balance)}  ({balance} units)  nonce {nonce}");
            return 0;
        }));
        return cmd;
    }

    internal static readonly Option<string> FromOption = new("--from") { Description = "key file or dev0…dev9", Required = true };
    internal static readonly Option<bool> NoWaitOption = new("--no-wait") { Description = "return once broadcast, without waiting for finality" };

    private static Command Transfer()
    {
        var to = new Option<string>("--to") { Description = "receiver: hex address or dev0…dev9", Required = true };
        var amount = new Option<string>("--amount") { Description = "units (1 PWR = 10^9 units), or e.g. 1.5PWR", Required = true };
        var cmd = new Command("transfer", "send PWR") { FromOption, to, amount, NoWaitOption };
        cmd.SetAction((p, ct) => Run(async () =>
        {
            if (!Units.TryParse(p.GetValue(amount), out var units)) throw new ArgumentException($"--amount '{p.GetValue(amount)}' is not a unit count or a PWR amount like 1.5PWR");
            var receiver = KeyArgument.ResolveAddress(p.GetValue(to)!);
            return await SendAsync(p, (chainId, nonce, fee, key) => TransactionBuilder.Transfer(chainId, nonce, fee, key.Address, receiver, units), ct);
        }));
        return cmd;
    }

    private static Command Vm()
    {
        var id = new Option<ulong>("--id") { Description = "VM ID to claim", Required = true };
        var claim = new Command("claim", "claim a VM ID (its owner earns 15% of the fees of its VmData transactions)") { id, FromOption, NoWaitOption };
        claim.SetAction((p, ct) => Run(() => SendAsync(p, (c, n, f, k) => TransactionBuilder.ClaimVmId(c, n, f, k.Address, p.GetValue(id)), ct)));

        var vm = new Option<ulong>("--vm") { Description = "VM ID", Required = true };
        var data = new Option<string>("--data") { Description = "payload in hex", Required = true };
        var value = new Option<string?>("--value") { Description = "PWR to move to the VM, in units or e.g. 1PWR" };
        var send = new Command("send", "send a VmData transaction to a VM") { vm, data, value, FromOption, NoWaitOption };
        send.SetAction((p, ct) => Run(() =>
        {
            if (!Hex.TryDecode(p.GetValue(data), out var payload)) throw new ArgumentException("--data must be hex");
            ulong v = 0;
            if (p.GetValue(value) is { } vs && !Units.TryParse(vs, out v)) throw new ArgumentException($"--value '{vs}' is not an amount");
            return SendAsync(p, (c, n, f, k) => TransactionBuilder.VmData(c, n, f, k.Address, p.GetValue(vm), payload, v), ct);
        }));

        var tokenCreate = new Command("token-create", "token VM: create a token with a supply owned by the sender")
        {
            vm, FromOption, NoWaitOption,
            new Option<string>("--symbol") { Required = true }, new Option<ulong>("--supply") { Required = true },
        };
        tokenCreate.SetAction((p, ct) => Run(() =>
        {
            var payload = TokenPayload.Create(p.GetValue<string>("--symbol")!, p.GetValue<ulong>("--supply"));
            return SendAsync(p, (c, n, f, k) => TransactionBuilder.VmData(c, n, f, k.Address, p.GetValue(vm), payload, 0), ct);
        }));

        return new Command("vm", "VM IDs, VM data, and VM hosts") { claim, send, tokenCreate, VmCommands.Run(vm, NodeOption), VmCommands.Verify(vm, NodeOption) };
    }

    /// <summary>Signs and broadcasts one transaction (registering the sender's key first if needed) and, unless --no-wait, waits for finality.</summary>
    internal static async Task<int> SendAsync(ParseResult p, Func<byte, uint, ulong, FalconKeyPair, byte[]> build, CancellationToken ct)
    {
        using var client = new ChainClient(p.GetValue(NodeOption)!);
        var key = KeyArgument.Resolve(p.GetValue(FromOption)!);
        var chainId = await client.ChainIdAsync(ct);
        var fee = await client.FeePerByteAsync(ct);
        var publicKey = (await client.GetAsync($"/publicKeyOfUser?userAddress={key.Address}", ct)).GetProperty("publicKey");
        var nonce = await client.NonceAsync(key.Address, ct);
        if (publicKey.ValueKind == JsonValueKind.Null)
        {
            // An account's first transaction carries its key.
            var setKey = TransactionBuilder.Sign(TransactionBuilder.SetPublicKey(chainId, nonce, fee, key.Address, key.PublicKey), key);
            var keyHash = await client.BroadcastAsync(setKey, ct);
            AnsiConsole.MarkupLine($"[grey]registered the public key of {key.Address} in {keyHash}[/]");
            nonce++;
        }
        var signed = TransactionBuilder.Sign(build(chainId, nonce, fee, key), key);
        var hash = await client.BroadcastAsync(signed, ct);
        Console.WriteLine(hash.ToString());
        if (p.GetValue(NoWaitOption)) return 0;
        var tx = await client.WaitForTransactionAsync(hash, TimeSpan.FromSeconds(60), ct);
        var ok = tx.GetProperty("success").GetBoolean();
        Console.WriteLine(ok
            ? $"finalized in block {tx.GetProperty("blockNumber").GetUInt64()}"
            : $"finalized in block {tx.GetProperty("blockNumber").GetUInt64()} but failed: {tx.GetProperty("errorMessage").GetString()} (the fee was charged)");
        return ok ? 0 : 3;
    }

    private static Command BlockCommand()
    {
        var number = new Argument<ulong>("number");
        var cmd = new Command("block", "show a block") { number };
        cmd.SetAction((p, ct) => Run(async () =>
        {
            using var client = new ChainClient(p.GetValue(NodeOption)!);
            var b = (await client.GetAsync($"/blockWithTransactions?blockNumber={p.GetValue(number)}", ct)).GetProperty("block");
            Console.WriteLine(JsonSerializer.Serialize(b, new JsonSerializerOptions { WriteIndented = true }));
            return 0;
        }));
        return cmd;
    }

    private static Command TxCommand()
    {
        var hash = new Argument<string>("hash");
        var cmd = new Command("tx", "show a finalized transaction") { hash };
        cmd.SetAction((p, ct) => Run(async () =>
        {
            if (!Hash32.TryParse(p.GetValue(hash), out var h)) throw new ArgumentException("the hash must be 32 bytes of hex");
            using var client = new ChainClient(p.GetValue(NodeOption)!);
            var t = (await client.GetAsync($"/transactionByHash?hash={h}", ct)).GetProperty("transaction");
            Console.WriteLine(JsonSerializer.Serialize(t, new JsonSerializerOptions { WriteIndented = true }));
            return 0;
        }));
        return cmd;
    }

    /// <summary>Runs a command body and turns expected failures into one clear line and a non-zero exit code.</summary>
    public static async Task<int> Run(Func<Task<int>> body)
    {
        try { return await body(); }
        catch (Exception e) when (e is NodeRequestException or NodeUnavailableException or ArgumentException or FileNotFoundException
            or InvalidDataException or PwrNodeException or IOException or InvalidOperationException)
        {
            AnsiConsole.MarkupLine($"[red]error:[/] {Markup.Escape(e.Message)}");
            return e is NodeUnavailableException ? 2 : 1;
        }
    }
}
