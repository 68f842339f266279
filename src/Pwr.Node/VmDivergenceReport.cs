namespace Pwr.Node;

/// <summary>A divergence as <c>/vmStatus</c> shows it: roots as 0x-hex, and how many peer answers matched ours.</summary>
public sealed record VmDivergenceReport(ulong Height, string LocalRoot, string PeerRoot, int Agreeing, int Answers, ulong RolledBackTo);
