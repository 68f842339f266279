using System.Collections.Concurrent;
using Pwr.Core;

namespace Pwr.Vm.Evm.Execution;

/// <summary>Contract code by hash, shared by the <see cref="WorldState"/>s of successive blocks so that a contract's
/// basic blocks are analysed once and its gas counts toward compilation (Evm.Compiler.cs) across blocks.</summary>
/// <remarks>Thread-safe. Bounded: past <see cref="Capacity"/> codes it starts over (code is content-addressed, so a
/// dropped entry only costs a reload and a re-analysis).</remarks>
public sealed class CodeInfoCache
{
    public const int Capacity = 4096;
    private readonly ConcurrentDictionary<Hash32, CodeInfo> _codes = new();

    public bool TryGet(in Hash32 codeHash, out CodeInfo info) => _codes.TryGetValue(codeHash, out info!);

    public void Add(CodeInfo info)
    {
        if (_codes.Count >= Capacity) _codes.Clear();
        _codes.TryAdd(info.CodeHash, info);
    }
}
