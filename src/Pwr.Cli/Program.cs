using System.CommandLine;
using Pwr.Cli;

var root = new RootCommand("pwr: a multi-VM chain's node and client. Start with `pwr devnet`.");
Commands.AddAll(root);
try
{
    return await root.Parse(args).InvokeAsync();
}
catch (OperationCanceledException)
{
    return 130;
}
