using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using ProcessFutures.Infrastructure;
using ProcessFutures.Internal;

namespace ProcessFutures;

/// <summary>
/// Runs requests on worker processes elsewhere: the same sessions, verbs, callbacks, errors and
/// cancellation as <see cref="ProcessPoolExecutor"/>, with workers that run the same worker in
/// remote mode (TLS, a token on every call; see docs/remote-workers.md). The address is a
/// gRPC-style target: <c>dns:///name:port</c>, where every address the name resolves to is a
/// worker (a Kubernetes headless Service), or <c>static:///host1:port,host2:port</c>. It is
/// resolved again every <see cref="RemoteWorkerOptions.ResolveInterval"/>: new workers get
/// traffic, vanished ones are drained.
/// </summary>
/// <remarks>
/// A worker lost mid-request fails only its own requests, with a <see cref="WorkerCrashedException"/>
/// naming its address; queued requests go to the others, and nothing is retried. A lost worker is
/// connected to again (after its /healthz says it is ready) while its address is still resolved.
/// While no worker serves, queued requests wait, then fail after
/// <see cref="RemoteWorkerOptions.UnavailableTimeout"/> with the last connection failure (gRPC's
/// "fail fast" rule), or at their own timeout first, which counts from submission.
/// Callbacks are found in the workers by assembly name: their image must carry the callbacks'
/// assemblies, and only public static methods of public types run. <see cref="RequestOptions.DownloadTo"/>
/// and <see cref="RequestOptions.UploadFrom"/> name this process's files, whose bytes travel on the
/// stream: a worker never opens a path a client sends. A remote worker cannot be killed: a
/// synchronous callback that overruns its timeout there gets its connection dropped, and keeps its
/// worker's slot until it returns.
/// </remarks>
public sealed partial class RemoteWorkerExecutor : IRequestExecutor
{
    private readonly ExecutorCore _core;
    private readonly TargetResolver _target;
    private readonly Func<CancellationToken, Task<IReadOnlyList<WorkerEndpoint>>> _resolve;
    private readonly RemoteChannels _channels;
    private readonly string _token;
    private readonly ConcurrentDictionary<WorkerEndpoint, EndpointSupervisor> _endpoints = new();
    private readonly ConcurrentDictionary<EndpointSupervisor, byte> _leaving = new();
    private readonly Task _resolving;
    private readonly Task _watchingAvailability;
    private readonly Lock _availabilityLock = new();
    private long _noWorkerSince = System.Diagnostics.Stopwatch.GetTimestamp();
    private int _serving;
    private (string Endpoint, Exception Failure)? _lastFailure;

    /// <summary>Creates the executor and starts resolving its address in the background.</summary>
    /// <param name="address">A gRPC-style target: <c>dns:///name:port</c> or <c>static:///host1:port,host2:port</c>.</param>
    /// <param name="options">Concurrency per worker, token, TLS trust, resolution interval; default: <c>new RemoteWorkerOptions()</c>, with the token from the environment.</param>
    /// <exception cref="ArgumentException">The address or the options are not valid (the message says what to write), or no token is given.</exception>
    public RemoteWorkerExecutor(string address, RemoteWorkerOptions? options = null)
        : this(address, options, resolve: null)
    {
    }

    /// <summary>For tests: a resolver that stands for DNS.</summary>
    internal RemoteWorkerExecutor(string address, RemoteWorkerOptions? options, Func<CancellationToken, Task<IReadOnlyList<WorkerEndpoint>>>? resolve)
    {
        Options = options ?? new RemoteWorkerOptions();
        _target = TargetResolver.Parse(address);
        List<string> problems = Options.Problems();
        string? token = Options.Token
            ?? (Options.TokenFile is { } file && File.Exists(file) ? File.ReadAllText(file).Trim() : null)
            ?? Environment.GetEnvironmentVariable(WorkerEnvironment.Token)
            ?? (Environment.GetEnvironmentVariable(RemoteEnvironment.TokenFile) is { } envFile && File.Exists(envFile) ? File.ReadAllText(envFile).Trim() : null);
        if (string.IsNullOrEmpty(token))
        {
            problems.Add($"No token: set RemoteWorkerOptions.Token or TokenFile, or {WorkerEnvironment.Token} or {RemoteEnvironment.TokenFile} in the environment (the workers' token).");
        }

        if (problems.Count > 0)
        {
            throw new ArgumentException($"The remote worker options are not valid: {string.Join(" ", problems)}", nameof(options));
        }

        _token = token!;
        _resolve = resolve ?? _target.ResolveAsync;
        _core = new ExecutorCore("remote", ExecutorCore.Placement.Remote, (Options.LoggerFactory ?? NullLoggerFactory.Instance).CreateLogger<RemoteWorkerExecutor>(), Options.MeterFactory);
        _core.ExplainNoWorkerWith(NoWorkerReason);
        _channels = new RemoteChannels(Options);
        _resolving = Task.Run(ResolveLoopAsync);
        _watchingAvailability = Task.Run(WatchAvailabilityAsync);
    }

    /// <summary>How many remote workers serve now (each runs <see cref="RemoteWorkerOptions.ConcurrencyPerWorker"/> requests at once).</summary>
    public int MaxWorkers => WorkerAddresses.Count;

    /// <summary>The workers serving now, as "address:port" (with the name they were resolved from), for diagnostics and tests.</summary>
    public IReadOnlyList<string> WorkerAddresses => [.. _endpoints.Values.Where(e => e.IsServing).Select(e => e.Endpoint.ToString())];

    /// <inheritdoc/>
    ExecutorCore IRequestExecutor.Core => _core;

    internal RemoteWorkerOptions Options { get; }

    /// <summary>
    /// Cancels queued requests, lets running ones finish within <see cref="RemoteWorkerOptions.ShutdownTimeout"/>,
    /// then drops every connection. The workers keep running: they are not this process's.
    /// </summary>
    /// <returns>A task that completes when no connection is left.</returns>
    public ValueTask DisposeAsync() => new(_core.DisposeAsync(StopWorkersAsync));
}
