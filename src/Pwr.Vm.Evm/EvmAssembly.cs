namespace Pwr.Vm.Evm;

/// <summary>Marker for the EVM assembly: Cancun rules, Ethereum transactions, Merkle-Patricia state.</summary>
public static class EvmAssembly
{
    /// <summary>The hard fork whose rules this EVM implements.</summary>
    public const string Fork = "Cancun";
}
