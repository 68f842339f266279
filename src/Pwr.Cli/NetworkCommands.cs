using System.CommandLine;
using System.Globalization;
using Microsoft.Extensions.Logging;
using Pwr.Node;
using Spectre.Console;

namespace Pwr.Cli;

/// <summary>`pwr init`, `pwr node --config FILE` and `pwr localnet`: multi-validator networks.</summary>
public static class NetworkCommands
{
    public static void AddTo(RootCommand root)
    {
        root.Subcommands.Add(Init());
        root.Subcommands.Add(NodeCommand());
        root.Subcommands.Add(Localnet());
    }

    private static Command Init()
    {
        var validators = new Option<int>("--validators") { Description = "number of validators", DefaultValueFactory = _ => 4 };
        var dir = new Option<string>("--dir") { Description = "where to write genesis.json and one folder per validator", Required = true };
        var chainId = new Option<byte>("--chain-id") { Description = "chain id (0..255)", DefaultValueFactory = _ => 0x50 };
        var deterministic = new Option<bool>("--deterministic-keys") { Description = "use the devnet's fixed validator keys instead of fresh random ones (never for real value)" };
        var baseApi = new Option<int>("--base-api-port") { Description = "validator i serves its PWR API on this port + i", DefaultValueFactory = _ => 8085 };
        var baseP2P = new Option<int>("--base-p2p-port") { Description = "validator i listens for peers on this port + i", DefaultValueFactory = _ => 26656 };
        var blockTime = new Option<int>("--block-time") { Description = "block interval in milliseconds", DefaultValueFactory = _ => 1000 };
        var cmd = new Command("init", "write a genesis with N validators and one config folder per validator (keys, peers, ports)")
            { validators, dir, chainId, deterministic, baseApi, baseP2P, blockTime };
        cmd.SetAction((p, _) => Commands.Run(() =>
        {
            var options = new NetworkInitOptions
            {
                Validators = p.GetValue(validators),
                Dir = p.GetValue(dir)!,
                ChainId = p.GetValue(chainId),
                DeterministicKeys = p.GetValue(deterministic),
                BaseApiPort = p.GetValue(baseApi),
                BaseP2PPort = p.GetValue(baseP2P),
                BlockInterval = TimeSpan.FromMilliseconds(p.GetValue(blockTime)),
            };
            var configs = NetworkInit.Write(options, TimeProvider.System);
            PrintInit(options, configs);
            return Task.FromResult(0);
        }));
        return cmd;
    }

    private static void PrintInit(NetworkInitOptions options, IReadOnlyList<NodeConfig> configs)
    {
        var dir = Path.GetFullPath(options.Dir);
        AnsiConsole.MarkupLine($"[green]Wrote[/] {Markup.Escape(Path.Combine(dir, NetworkInit.GenesisFileName))} (chain id {options.ChainId}, {configs.Count} validators, dev0…dev9 funded, VM IDs 1 and 2 claimed)");
        var table = new Table().AddColumns("validator", "config", "PWR API", "p2p");
        for (int i = 0; i < configs.Count; i++)
            table.AddRow(i.ToString(CultureInfo.InvariantCulture), Markup.Escape(NetworkInit.ConfigPath(dir, i)),
                $"http://{configs[i].ApiHost}:{configs[i].ApiPort}", $"{configs[i].P2PHost}:{configs[i].P2PPort}");
        AnsiConsole.Write(table);
        AnsiConsole.MarkupLine($"Run one with [bold]pwr node --config {Markup.Escape(NetworkInit.ConfigPath(dir, 0))}[/], or all with [bold]pwr localnet[/].");
    }

    private static Command NodeCommand()
    {
        var config = new Option<string>("--config") { Description = "node config file (written by pwr init; format in the README)", Required = true };
        var cmd = new Command("node", "run one validator or full node from a config file until Ctrl-C or SIGTERM") { config };
        cmd.SetAction((p, ct) => Commands.Run(async () =>
        {
            var cfg = NodeConfig.Load(p.GetValue(config)!);
            using var loggers = LoggerFactory.Create(b => b
                .AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = "HH:mm:ss.fff "; })
                .SetMinimumLevel(cfg.LogLevel)
                .AddFilter("Microsoft", LogLevel.Warning));
            await using var host = await ConfiguredNodeHost.StartAsync(cfg, loggers);
            var node = host.Node;
            AnsiConsole.MarkupLine($"[bold green]PWR node running[/]  API [link]{node.ApiUrl}[/]  p2p {node.P2PEndPoint}  " +
                (node.IsValidator ? "[green]validator[/]" : "[yellow]full node (not a validator)[/]") +
                $"  chain id {node.Chain.ChainId}  data {Markup.Escape(cfg.DataDir)}");
            if (host.EvmRpc is not null) Console.WriteLine($"Ethereum JSON-RPC: {host.EvmRpc.Url}");
            if (host.EvmRpcError is { } rpcError) AnsiConsole.MarkupLine($"[yellow]Ethereum JSON-RPC not started:[/] {Markup.Escape(rpcError)}");
            var stopped = new TaskCompletionSource();
            using var reg = ct.Register(() => stopped.TrySetResult());
            using var reg2 = node.Stopping.Register(() => stopped.TrySetResult());
            await Task.WhenAny(stopped.Task, node.EngineTask);
            if (node.EngineTask.IsFaulted)
            {
                AnsiConsole.MarkupLine($"[red]Consensus stopped:[/] {Markup.Escape(node.EngineTask.Exception!.InnerException!.Message)}");
                return 1;
            }
            AnsiConsole.MarkupLine("[grey]Stopping…[/]");
            return 0;
        }));
        return cmd;
    }

    private static Command Localnet()
    {
        var validators = new Option<int>("--validators") { Description = "number of validator processes", DefaultValueFactory = _ => 4 };
        var dataDir = new Option<string>("--data-dir") { Description = "network folder (pwr init output)", DefaultValueFactory = _ => Path.Combine(".pwr", "localnet") };
        var reset = new Option<bool>("--reset") { Description = "delete the folder first and start from a new genesis" };
        var blockTime = new Option<int>("--block-time") { Description = "block interval in milliseconds (used when the network is created)", DefaultValueFactory = _ => 1000 };
        var cmd = new Command("localnet", "run N validator processes on loopback (validator i: API 127.0.0.1:8085+i, p2p 26656+i); Ctrl-C stops them all")
            { validators, dataDir, reset, blockTime };
        cmd.SetAction((p, ct) => Commands.Run(() => LocalnetRunner.RunAsync(new LocalnetOptions
        {
            Validators = p.GetValue(validators),
            Dir = p.GetValue(dataDir)!,
            Reset = p.GetValue(reset),
            BlockInterval = TimeSpan.FromMilliseconds(p.GetValue(blockTime)),
        }, ct)));
        return cmd;
    }
}
