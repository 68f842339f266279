using Pwr.Core;

namespace Pwr.Vm.Evm.Rpc;

/// <summary>Settings of the Ethereum JSON-RPC wrapper; defaults are the devnet's.</summary>
public sealed class EvmRpcOptions
{
    /// <summary>Loopback only by default: the wrapper signs PWR transactions with its own key.</summary>
    public string Host { get; init; } = "127.0.0.1";
    public int Port { get; init; } = 8545;
    /// <summary>The PWR node whose HTTP API receives the wrapped transactions.</summary>
    public required Uri PwrNode { get; init; }
    /// <summary>The PWR key that signs (and pays for) the VmData transactions.</summary>
    public required FalconKeyPair WrapperKey { get; init; }
    public required ulong EvmVmId { get; init; }
    /// <summary>Flush the queued Ethereum transactions at least this often.</summary>
    public TimeSpan FlushInterval { get; init; } = TimeSpan.FromMilliseconds(100);
    /// <summary>Flush once a payload reaches this many bytes (well under the PWR maximum transaction size of 1 MiB).</summary>
    public int MaxPayloadBytes { get; init; } = 512 * 1024;
    /// <summary>Largest signed Ethereum transaction accepted (geth's txMaxSize is 128 KiB).</summary>
    public int MaxTransactionBytes { get; init; } = 128 * 1024;
    public string ClientVersion { get; init; } = "pwr-evm/0.1.0";

    public void Validate()
    {
        if (Port is < 0 or > 65535) throw new ArgumentException("Port must be 0..65535");
        if (FlushInterval <= TimeSpan.Zero) throw new ArgumentException("FlushInterval must be positive");
        if (MaxPayloadBytes < MaxTransactionBytes + 4) throw new ArgumentException("MaxPayloadBytes must fit one maximal transaction");
    }
}
