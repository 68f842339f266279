using System.CommandLine;
using Pwr.Cli;

var root = new RootCommand("pwr: a multi-VM chain's node and client. Start with `pwr devnet`.");
Commands.AddAll(root);
// `pwr localnet` needs longer than System.CommandLine's default 2 s after Ctrl-C: it gives its validators a
// SIGTERM grace period and then kills the stragglers, and must not exit (orphaning them) before that.
var invocation = new InvocationConfiguration();
if (args is ["localnet", ..]) invocation.ProcessTerminationTimeout = LocalnetRunner.ShutdownTimeout;
try
{
    return await root.Parse(args).InvokeAsync(invocation);
}
catch (OperationCanceledException)
{
    return 130;
}
