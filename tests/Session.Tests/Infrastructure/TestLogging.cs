using Microsoft.Extensions.Logging;

namespace Session.Tests.Infrastructure;

/// <summary>Pool events and worker output, written to NUnit's progress stream: a failing test shows what the workers said.</summary>
internal static class TestLogging
{
    public static readonly ILoggerFactory Factory = LoggerFactory.Create(builder => builder.SetMinimumLevel(LogLevel.Information).AddProvider(new ProgressProvider()));

    private sealed class ProgressProvider : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => new ProgressLogger();

        public void Dispose()
        {
        }
    }

    private sealed class ProgressLogger : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            TestContext.Progress.WriteLine($"[pool {logLevel}] {formatter(state, exception)}{(exception is null ? string.Empty : " " + exception.Message)}");
        }
    }
}
