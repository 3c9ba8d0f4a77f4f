using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using ProcessFutures;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>
/// Registers named <see cref="FuturesSession"/>s, by analogy with <c>AddHttpClient</c>:
/// <c>services.AddFuturesSession("crawler", o =&gt; o.Timeout = …).UseProcessPool(p =&gt; …).BindConfiguration("FuturesSessions:crawler")</c>,
/// then <see cref="IFuturesSessionFactory.CreateSession"/>. Options are validated when the host
/// starts (every problem in one message); the executor takes the host's <c>ILoggerFactory</c> and
/// <c>IMeterFactory</c>.
/// </summary>
public static class FuturesSessionServiceCollectionExtensions
{
    /// <summary>Adds a session named <paramref name="name"/>, run by a <see cref="ThreadPoolExecutor"/> unless <see cref="UseProcessPool"/> says otherwise.</summary>
    /// <param name="services">The services.</param>
    /// <param name="name">The session's name.</param>
    /// <param name="configure">Sets the session's <see cref="SessionOptions"/>.</param>
    /// <returns>A builder to configure the session further.</returns>
    public static IFuturesSessionBuilder AddFuturesSession(this IServiceCollection services, string name, Action<SessionOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        services.TryAddSingleton<IFuturesSessionFactory, FuturesSessionFactory>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<SessionOptions>, SessionOptionsValidation>());
        OptionsBuilder<SessionOptions> options = services.AddOptions<SessionOptions>(name).ValidateOnStart();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        services.AddOptions<ExecutorChoice>(name);
        services.TryAddKeyedSingleton<IRequestExecutor>(name, static (provider, key) => ExecutorChoice.Create(provider, (string)key!));
        return new FuturesSessionBuilder(name, services);
    }

    /// <summary>
    /// Runs the session's requests in a <see cref="ProcessPoolExecutor"/> (a singleton of this
    /// name, owned by the container), instead of a <see cref="ThreadPoolExecutor"/>.
    /// </summary>
    /// <param name="builder">The session's builder.</param>
    /// <param name="configure">Sets the pool's <see cref="ProcessPoolOptions"/>.</param>
    /// <returns>The builder.</returns>
    public static IFuturesSessionBuilder UseProcessPool(this IFuturesSessionBuilder builder, Action<ProcessPoolOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.Configure<ExecutorChoice>(builder.Name, choice => choice.ProcessPool = true);
        OptionsBuilder<ProcessPoolOptions> options = builder.Services.AddOptions<ProcessPoolOptions>(builder.Name);
        if (configure is not null)
        {
            options.Configure(configure);
        }

        return builder;
    }

    /// <summary>
    /// Binds the session's options to a configuration section: its keys are
    /// <see cref="SessionOptions"/>' properties; a <c>ProcessPool</c> subsection, if present,
    /// binds <see cref="ProcessPoolOptions"/> (and its <c>Workers</c> key, the number of worker
    /// processes) and makes the session use a process pool.
    /// </summary>
    /// <param name="builder">The session's builder.</param>
    /// <param name="sectionPath">The section's path, such as <c>FuturesSessions:crawler</c>.</param>
    /// <returns>The builder.</returns>
    public static IFuturesSessionBuilder BindConfiguration(this IFuturesSessionBuilder builder, string sectionPath)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(sectionPath);
        builder.Services.AddOptions<SessionOptions>(builder.Name).BindConfiguration(sectionPath);
        string poolPath = ConfigurationPath.Combine(sectionPath, "ProcessPool");
        builder.Services.AddOptions<ProcessPoolOptions>(builder.Name).BindConfiguration(poolPath);
        builder.Services.AddOptions<ExecutorChoice>(builder.Name).Configure<IConfiguration>((choice, configuration) =>
        {
            IConfigurationSection pool = configuration.GetSection(poolPath);
            if (pool.Exists())
            {
                choice.ProcessPool = true;
                choice.Workers = pool.GetValue("Workers", choice.Workers);
            }
        });
        return builder;
    }

    /// <summary>
    /// Adds a health check for the session's executor: healthy while a process pool has at least
    /// one worker ready (a thread pool always is, until disposed).
    /// </summary>
    /// <param name="builder">The session's builder.</param>
    /// <param name="checkName">The check's name; default: <c>futures-session-</c> and the session's name.</param>
    /// <returns>The builder.</returns>
    public static IFuturesSessionBuilder AddHealthCheck(this IFuturesSessionBuilder builder, string? checkName = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        string name = builder.Name;
        builder.Services.AddHealthChecks().Add(new HealthCheckRegistration(
            checkName ?? $"futures-session-{name}",
            provider => new ExecutorHealthCheck(provider.GetRequiredKeyedService<IRequestExecutor>(name)),
            failureStatus: null,
            tags: ["processfutures"]));
        return builder;
    }

    private sealed class FuturesSessionBuilder(string name, IServiceCollection services) : IFuturesSessionBuilder
    {
        public string Name { get; } = name;

        public IServiceCollection Services { get; } = services;
    }
}
