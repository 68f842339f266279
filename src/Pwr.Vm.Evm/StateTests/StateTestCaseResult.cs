namespace Pwr.Vm.Evm.StateTests;

/// <summary>The outcome of one state-test case: its stable name, whether it passed and, if not, why.</summary>
public sealed record StateTestCaseResult(string Name, bool Passed, string? Message);
