using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ProcessFutures;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Which executor a named session runs on, and how many workers: chosen by UseProcessPool or a ProcessPool configuration section.</summary>
internal sealed class ExecutorChoice
{
    public bool ProcessPool { get; set; }

    /// <summary>Worker processes (0: one per core), or requests at once for a thread pool (0: 8).</summary>
    public int Workers { get; set; }

    /// <summary>Makes the named session's executor: a singleton the container owns, with the host's logging and metrics.</summary>
    public static IRequestExecutor Create(IServiceProvider provider, string name)
    {
        ExecutorChoice choice = provider.GetRequiredService<IOptionsMonitor<ExecutorChoice>>().Get(name);
        ILoggerFactory? loggers = provider.GetService<ILoggerFactory>();
        IMeterFactory? meters = provider.GetService<IMeterFactory>();
        if (!choice.ProcessPool)
        {
            return new ThreadPoolExecutor(choice.Workers > 0 ? choice.Workers : ThreadPoolExecutor.DefaultMaxWorkers, loggers, meters);
        }

        ProcessPoolOptions options = provider.GetRequiredService<IOptionsMonitor<ProcessPoolOptions>>().Get(name);
        options.LoggerFactory ??= loggers;
        options.MeterFactory ??= meters;
        return new ProcessPoolExecutor(choice.Workers, options);
    }
}
