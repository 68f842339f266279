using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Running;

// dotnet run -c Release --project bench/Pwr.Benchmarks -- --filter '*Falcon*' [--job short]
// With no arguments BenchmarkSwitcher lists the benchmarks and asks which to run.
var config = DefaultConfig.Instance.AddColumn(StatisticColumn.OperationsPerSecond);
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args, config);
