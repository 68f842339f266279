using Microsoft.Extensions.Logging;

namespace Pwr.Consensus.Tests.Engine;

/// <summary>Debug aid: when PWR_TEST_LOG names a file, engine logs go there, prefixed by node; otherwise nothing is logged.</summary>
public sealed class FileLoggerFactory(string node) : ILoggerFactory
{
    private static readonly string? Path = Environment.GetEnvironmentVariable("PWR_TEST_LOG");
    private static readonly object Gate = new();

    public static ILoggerFactory For(string node)
        => Path is null ? Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance : new FileLoggerFactory(node);

    public ILogger CreateLogger(string categoryName) => new Logger(node);
    public void AddProvider(ILoggerProvider provider) { }
    public void Dispose() { }

    private sealed class Logger(string node) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel logLevel) => true;
        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var line = $"{DateTime.UtcNow:HH:mm:ss.fff} {node} {logLevel}: {formatter(state, exception)} {exception}\n";
            lock (Gate) File.AppendAllText(Path!, line);
        }
    }
}
