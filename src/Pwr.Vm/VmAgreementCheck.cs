namespace Pwr.Vm;

/// <summary>The result of one <see cref="VmRootAgreement.CheckOnceAsync"/>: the height compared and how the peers answered.</summary>
public readonly record struct VmAgreementCheck(VmAgreementOutcome Outcome, ulong Height, int Answers, int Agreeing);
