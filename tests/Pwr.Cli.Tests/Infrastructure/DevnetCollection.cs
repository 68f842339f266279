namespace Pwr.Cli.Tests.Infrastructure;

/// <summary>
/// Every test that runs a devnet (a process or in-process) is in this one collection, so they run one at a time:
/// on a 2-core machine two devnets plus a CLI process would make block timing and timeouts flaky.
/// </summary>
[CollectionDefinition(Name)]
public sealed class DevnetCollection
{
    public const string Name = "devnet";
}
