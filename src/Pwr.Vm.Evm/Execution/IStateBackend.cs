using Pwr.Core;
using Pwr.Vm.Evm.Numerics;

namespace Pwr.Vm.Evm.Execution;

/// <summary>Read access to committed EVM state (accounts, code, storage) under the journaled <see cref="WorldState"/>.</summary>
/// <remarks>An in-memory dictionary serves the state tests; the VM host backs it with RocksDB and an incremental trie.</remarks>
public interface IStateBackend
{
    bool TryGetAccount(in Address address, out AccountState account);

    /// <summary>The code whose Keccak-256 is <paramref name="codeHash"/> (empty for the empty-code hash).</summary>
    byte[] GetCode(in Hash32 codeHash);

    /// <summary>The committed value of a storage slot (zero when unset).</summary>
    UInt256 GetStorage(in Address address, in UInt256 slot);

    /// <summary>True when the account has any non-zero committed storage (EIP-7610 create collision).</summary>
    bool HasStorage(in Address address);
}
