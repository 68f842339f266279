using Pwr.Core;

namespace Pwr.Vm;

/// <summary>A check where fewer than 2/3 of the peers' answers matched the local root.</summary>
/// <param name="Height">The block whose roots were compared.</param>
/// <param name="PeerRoot">The root most answers gave (ties: the smallest, so every host reports the same one).</param>
/// <param name="Agreeing">Answers equal to <paramref name="LocalRoot"/>.</param>
/// <param name="Answers">Peers that answered for <paramref name="Height"/> (unreachable and behind peers are not answers).</param>
/// <param name="RolledBackTo">The agreed checkpoint the store was restored to.</param>
public sealed record VmDivergence(ulong Height, Hash32 LocalRoot, Hash32 PeerRoot, int Agreeing, int Answers, ulong RolledBackTo);
