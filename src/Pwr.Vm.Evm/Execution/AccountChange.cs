using Pwr.Core;
using Pwr.Vm.Evm.Numerics;

namespace Pwr.Vm.Evm.Execution;

/// <summary>The final state of one account changed by a transaction or block, to write to the backend.</summary>
/// <remarks>When <see cref="Deleted"/> the account and all its storage go; when <see cref="StorageCleared"/> the
/// backend's storage is dropped before <see cref="Storage"/> is applied (an account destroyed and recreated).
/// A zero value in <see cref="Storage"/> deletes the slot. <see cref="Code"/> is set only when the code changed.</remarks>
public sealed record AccountChange(
    Address Address,
    bool Deleted,
    ulong Nonce,
    UInt256 Balance,
    Hash32 CodeHash,
    byte[]? Code,
    bool StorageCleared,
    IReadOnlyList<KeyValuePair<UInt256, UInt256>> Storage);
