using System.Diagnostics;
using System.Net;
using ProcessFutures.Infrastructure;
using ProcessFutures.Internal;

namespace ProcessFutures;

/// <summary>Resolving the target, keeping one worker connection per resolved address (ready-checked, served, drained, reconnected), and failing what waits for no worker.</summary>
public sealed partial class RemoteWorkerExecutor
{
    /// <summary>How often a serving worker's /healthz is checked (a worker told to stop says so there).</summary>
    private static readonly TimeSpan s_healthInterval = TimeSpan.FromSeconds(1);

    /// <summary>How long a draining worker's address rests before it is tried again.</summary>
    private static readonly TimeSpan s_drainedRest = TimeSpan.FromSeconds(5);

    private async Task ResolveLoopAsync()
    {
        CancellationToken stopping = _core.Stopping;
        while (!stopping.IsCancellationRequested)
        {
            IReadOnlyList<WorkerEndpoint>? resolved = null;
            try
            {
                resolved = await _resolve(stopping).ConfigureAwait(false);
            }
            catch (Exception exception) when (exception is not OperationCanceledException || !stopping.IsCancellationRequested)
            {
                RemoteWorkerLog.ResolutionFailed(_core.Logger, _target.Target, exception.Message);
                Failed(_target.Target, exception);
            }

            if (resolved is not null)
            {
                Apply(resolved, stopping);
            }

            await Backoff.DelayAsync(Options.ResolveInterval, stopping).ConfigureAwait(false);
        }
    }

    /// <summary>New addresses get a supervisor; vanished ones are drained (what they run finishes, nothing new is sent).</summary>
    private void Apply(IReadOnlyList<WorkerEndpoint> resolved, CancellationToken stopping)
    {
        var now = resolved.ToHashSet();
        bool changed = false;
        foreach (WorkerEndpoint endpoint in now)
        {
            if (!_endpoints.ContainsKey(endpoint))
            {
                var supervisor = new EndpointSupervisor(this, endpoint);
                if (_endpoints.TryAdd(endpoint, supervisor))
                {
                    supervisor.Start(stopping);
                    changed = true;
                }
            }
        }

        foreach ((WorkerEndpoint endpoint, EndpointSupervisor supervisor) in _endpoints)
        {
            if (!now.Contains(endpoint) && _endpoints.TryRemove(endpoint, out _))
            {
                // It drains in the background; disposal still waits for it, with the grace period.
                _leaving.TryAdd(supervisor, 0);
                supervisor.Remove();
                changed = true;
            }
        }

        if (changed)
        {
            RemoteWorkerLog.Resolved(_core.Logger, _target.Target, now.Count);
        }
    }

    /// <summary>
    /// While no worker serves, fails the requests that have waited <see cref="RemoteWorkerOptions.UnavailableTimeout"/>
    /// without one, with the last connection failure: a request does not wait for ever for workers
    /// that cannot be reached (gRPC's "fail fast" rule).
    /// </summary>
    private async Task WatchAvailabilityAsync()
    {
        CancellationToken stopping = _core.Stopping;
        TimeSpan timeout = Options.UnavailableTimeout;
        TimeSpan period = TimeSpan.FromTicks(Math.Clamp(timeout.Ticks / 4, TimeSpan.TicksPerMillisecond * 50, TimeSpan.TicksPerSecond));
        while (!stopping.IsCancellationRequested)
        {
            await Backoff.DelayAsync(period, stopping).ConfigureAwait(false);
            long since;
            lock (_availabilityLock)
            {
                since = _serving == 0 ? _noWorkerSince : 0;
            }

            if (since != 0 && Stopwatch.GetElapsedTime(since) >= timeout)
            {
                _core.FailQueuedLongerThan(timeout, Unavailable);
            }
        }
    }

    /// <summary>What a request that waited too long for a worker is told.</summary>
    private HttpRequestException Unavailable() => NoWorker($"No remote worker at '{_target.Target}' could take this request within RemoteWorkerOptions.UnavailableTimeout ({Options.UnavailableTimeout.TotalSeconds:0.###} s)");

    /// <summary>Why no worker serves, for a request that timed out in the queue; null while one serves.</summary>
    private HttpRequestException? NoWorkerReason()
    {
        lock (_availabilityLock)
        {
            if (_serving > 0)
            {
                return null;
            }
        }

        return NoWorker($"No remote worker at '{_target.Target}' was serving");
    }

    /// <summary>
    /// The last failure to reach a worker, as an <see cref="HttpRequestException"/> whose inner
    /// exception is what HttpClient saw under it (the socket's or the TLS error), and whose message
    /// says it all (HttpClient's own says "see inner exception" for TLS).
    /// </summary>
    private HttpRequestException NoWorker(string what)
    {
        (string Endpoint, Exception Failure)? last;
        lock (_availabilityLock)
        {
            last = _lastFailure;
        }

        if (last is not { } failure)
        {
            return new HttpRequestException(HttpRequestError.ConnectionError, $"{what}: none was found at that address yet.");
        }

        Exception? cause = failure.Failure is HttpRequestException { InnerException: { } inner } ? inner : failure.Failure;
        string detail = ReferenceEquals(cause, failure.Failure) ? failure.Failure.Message : $"{failure.Failure.Message} ({cause.Message})";
        return new HttpRequestException(HttpRequestError.ConnectionError, $"{what}: the last attempt to reach one ({failure.Endpoint}) failed: {detail}", cause);
    }

    private void Failed(string endpoint, Exception failure)
    {
        lock (_availabilityLock)
        {
            _lastFailure = (endpoint, failure);
        }
    }

    private void ServingChanged(int change)
    {
        lock (_availabilityLock)
        {
            _serving += change;
            if (_serving == 0)
            {
                _noWorkerSince = Stopwatch.GetTimestamp();
            }
        }
    }

    private async Task StopWorkersAsync()
    {
        try
        {
            await Task.WhenAll(_resolving, _watchingAvailability).ConfigureAwait(false);
            await Task.WhenAll(_endpoints.Values.Concat(_leaving.Keys).Select(e => e.StopAsync(Options.ShutdownTimeout))).ConfigureAwait(false);
        }
        finally
        {
            _channels.Dispose();
        }
    }

    /// <summary>Keeps a worker connection to one address while it is resolved: waits for /healthz, serves, and after a loss, backs off and connects again.</summary>
    private sealed class EndpointSupervisor(RemoteWorkerExecutor executor, WorkerEndpoint endpoint)
    {
        private readonly CancellationTokenSource _removed = new();
        private Task _running = Task.CompletedTask;
        private HttpClient? _probe;
        private RemoteWorker? _worker;

        public WorkerEndpoint Endpoint => endpoint;

        public bool IsServing => Volatile.Read(ref _worker) is { IsDead: false, IsRetiring: false };

        public void Start(CancellationToken stopping) => _running = Task.Run(() => RunAsync(stopping));

        /// <summary>The address is no longer resolved: drain the worker and stop.</summary>
        public void Remove()
        {
            _removed.Cancel();
            Volatile.Read(ref _worker)?.Retire("its address is no longer resolved", WorkerExitReason.Shutdown);
        }

        public async Task StopAsync(TimeSpan grace)
        {
            _removed.Cancel();
            if (Volatile.Read(ref _worker) is { } worker)
            {
                await worker.StopAsync(grace).ConfigureAwait(false);
            }

            await _running.ConfigureAwait(false);
        }

        private async Task RunAsync(CancellationToken stopping)
        {
            try
            {
                await ServeAsync(stopping).ConfigureAwait(false);
            }
            finally
            {
                _probe?.Dispose();
                executor._leaving.TryRemove(this, out _);
            }
        }

        private async Task ServeAsync(CancellationToken stopping)
        {
            using var done = CancellationTokenSource.CreateLinkedTokenSource(stopping, _removed.Token);
            var backoff = new Backoff();
            while (!done.IsCancellationRequested)
            {
                Exception? notReady = await ProbeAsync(done.Token).ConfigureAwait(false);
                if (notReady is not null)
                {
                    if (done.IsCancellationRequested)
                    {
                        return;
                    }

                    executor.Failed(endpoint.ToString(), notReady);
                    RemoteWorkerLog.WorkerNotReady(executor._core.Logger, endpoint.ToString(), notReady.Message, backoff.Current);
                    await backoff.WaitAsync(done.Token).ConfigureAwait(false);
                    continue;
                }

                backoff.Reset();
                var worker = new RemoteWorker(executor._core, endpoint, new GrpcConnector(executor._channels.Create(endpoint), executor._token));
                Volatile.Write(ref _worker, worker);
                executor._core.WorkerState("ready", 1);
                executor.ServingChanged(1);
                RemoteWorkerLog.WorkerReady(executor._core.Logger, endpoint.ToString());
                worker.Serve(executor.Options.ConcurrencyPerWorker);
                await WatchAsync(worker, done.Token).ConfigureAwait(false);

                executor.ServingChanged(-1);
                executor._core.WorkerState("ready", -1);

                // Lost, draining (told to stop), or no longer resolved: let what runs finish, then drop it.
                // On disposal, within the grace period: StopAsync may have looked for this worker before it was set.
                await worker.StopAsync(stopping.IsCancellationRequested ? executor.Options.ShutdownTimeout : Timeout.InfiniteTimeSpan).ConfigureAwait(false);
                if (worker.IsRetiring)
                {
                    // A draining worker is about to go; its address is tried again after a while, as after a loss.
                    await Backoff.DelayAsync(s_drainedRest, done.Token).ConfigureAwait(false);
                }
            }
        }

        /// <summary>
        /// Serves until the worker stops taking requests, checking its /healthz every
        /// s_healthInterval: a worker told to stop answers 503 (or no longer answers),
        /// and is drained at once: what it runs finishes, nothing more is sent, its streams close.
        /// </summary>
        private async Task WatchAsync(RemoteWorker worker, CancellationToken cancellationToken)
        {
            while (!worker.StoppedTaking.IsCompleted && !cancellationToken.IsCancellationRequested)
            {
                try
                {
                    await worker.StoppedTaking.WaitAsync(s_healthInterval, cancellationToken).ConfigureAwait(false);
                    return;
                }
                catch (TimeoutException)
                {
                }
                catch (OperationCanceledException)
                {
                    return;
                }

                if (await ProbeAsync(cancellationToken).ConfigureAwait(false) is { } notReady && !cancellationToken.IsCancellationRequested)
                {
                    executor.Failed(endpoint.ToString(), notReady);
                    worker.Retire($"its /healthz says it is not ready ({notReady.Message}): it is draining", WorkerExitReason.Shutdown);
                }
            }
        }

        /// <summary>Null when the worker's /healthz answers 200; otherwise why not (a refused connection, an untrusted certificate, a 503).</summary>
        private async Task<Exception?> ProbeAsync(CancellationToken cancellationToken)
        {
            try
            {
                _probe ??= executor._channels.CreateProbe(endpoint);
                using HttpResponseMessage response = await _probe.GetAsync("healthz", cancellationToken).ConfigureAwait(false);
                return response.StatusCode == HttpStatusCode.OK
                    ? null
                    : new HttpRequestException($"/healthz answered {(int)response.StatusCode}", inner: null, response.StatusCode);
            }
            catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException or IOException)
            {
                // A connection that broke is not kept for the next probe.
                _probe?.Dispose();
                _probe = null;
                return exception;
            }
        }
    }
}
