using Pwr.Cli.Tests.Infrastructure;
using Pwr.Core;
using Pwr.Node;

namespace Pwr.Cli.Tests.Faults;

/// <summary>
/// A full node (no validator key) that follows the validators of a <see cref="LocalnetProcesses"/> network and is not
/// killed with them: it still holds every vote of the height in progress when they restart, so a validator that signs
/// a second, different vote for a slot after its restart shows up as an equivocation in this node's log.
/// </summary>
internal sealed class CrashObserver : IDisposable
{
    private CrashObserver(NodeApi api, PwrProcess process)
    {
        Api = api;
        Process = process;
    }

    public NodeApi Api { get; }
    public PwrProcess Process { get; }

    public static CrashObserver Start(LocalnetProcesses net)
    {
        var dir = Path.Combine(net.Dir, "observer");
        Directory.CreateDirectory(dir);
        var nodeKey = Path.Combine(dir, "node-key.json");
        KeyFile.Save(nodeKey, DevnetKeys.FromLabel("node/crash-observer"));
        int apiPort = FreePort.Next();
        var config = net.Configs[0] with
        {
            DataDir = Path.Combine(dir, "data"),
            ValidatorKeyFile = null,
            NodeKeyFile = nodeKey,
            ApiPort = apiPort,
            P2PPort = FreePort.Next(),
            PersistentPeers = net.Configs.Select(c => $"127.0.0.1:{c.P2PPort}").ToList(),
            VmAgreementPeers = [],
            Vms = [],
            Equivocate = false,
        };
        var path = Path.Combine(dir, "config.json");
        config.Save(path);
        return new CrashObserver(new NodeApi($"http://127.0.0.1:{apiPort}"), PwrProcess.Start(Path.GetTempPath(), "node", "--config", path));
    }

    public void Dispose()
    {
        Process.Dispose();
        Api.Dispose();
    }
}
