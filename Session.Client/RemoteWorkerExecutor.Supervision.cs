using System.Net;
using ProcessFutures.Internal;

namespace ProcessFutures;

/// <summary>Resolving the target, and keeping one worker connection per resolved address: ready-checked, served, drained, reconnected.</summary>
public sealed partial class RemoteWorkerExecutor
{
    private static readonly TimeSpan s_firstBackoff = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan s_maxBackoff = TimeSpan.FromSeconds(5);

    /// <summary>How often a serving worker's /healthz is checked (a worker told to stop says so there).</summary>
    private static readonly TimeSpan s_healthInterval = TimeSpan.FromSeconds(1);

    private async Task ResolveLoopAsync()
    {
        CancellationToken stopping = _stopping.Token;
        while (!stopping.IsCancellationRequested)
        {
            IReadOnlyList<WorkerEndpoint>? resolved = null;
            try
            {
                resolved = await _resolve(stopping).ConfigureAwait(false);
            }
            catch (Exception exception) when (exception is not OperationCanceledException || !stopping.IsCancellationRequested)
            {
                RemoteWorkerLog.ResolutionFailed(_logger, _target.Target, exception.Message);
            }

            if (resolved is not null)
            {
                Apply(resolved, stopping);
            }

            try
            {
                await Task.Delay(Options.ResolveInterval, stopping).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
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
            RemoteWorkerLog.Resolved(_logger, _target.Target, now.Count);
        }
    }

    private async Task ShutDownAsync()
    {
        _stopping.Cancel();
        foreach (PendingWork work in _queue.Drain(complete: true))
        {
            work.CancelQueued(_stopping.Token);
        }

        try
        {
            await _resolving.ConfigureAwait(false);
            await Task.WhenAll(_endpoints.Values.Concat(_leaving.Keys).Select(e => e.StopAsync(Options.ShutdownTimeout))).ConfigureAwait(false);
        }
        finally
        {
            _stopping.Dispose();
            _telemetry.Dispose();
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
            TimeSpan backoff = s_firstBackoff;
            while (!done.IsCancellationRequested)
            {
                string? notReady = await ProbeAsync(done.Token).ConfigureAwait(false);
                if (notReady is not null)
                {
                    if (done.IsCancellationRequested)
                    {
                        return;
                    }

                    RemoteWorkerLog.WorkerNotReady(executor._logger, endpoint.ToString(), notReady, backoff);
                    await DelayAsync(backoff, done.Token).ConfigureAwait(false);
                    backoff = backoff * 2 < s_maxBackoff ? backoff * 2 : s_maxBackoff;
                    continue;
                }

                backoff = s_firstBackoff;
                var worker = new RemoteWorker(executor, endpoint, executor._channels.Create(endpoint), executor._token);
                Volatile.Write(ref _worker, worker);
                executor._telemetry.WorkerState("ready", 1);
                RemoteWorkerLog.WorkerReady(executor._logger, endpoint.ToString());
                worker.Serve(executor.Options.ConcurrencyPerWorker);
                await WatchAsync(worker, done.Token).ConfigureAwait(false);

                executor._telemetry.WorkerState("ready", -1);

                // Lost, draining (told to stop), or no longer resolved: let what runs finish, then drop it.
                // On disposal, within the grace period: StopAsync may have looked for this worker before it was set.
                await worker.StopAsync(stopping.IsCancellationRequested ? executor.Options.ShutdownTimeout : Timeout.InfiniteTimeSpan).ConfigureAwait(false);
                if (worker.IsRetiring)
                {
                    // A draining worker is about to go; its address is retried after a while, as for a loss.
                    await DelayAsync(s_maxBackoff, done.Token).ConfigureAwait(false);
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
                    worker.Retire($"its /healthz says it is not ready ({notReady}): it is draining", WorkerExitReason.Shutdown);
                }
            }
        }

        /// <summary>Null when the worker's /healthz answers 200; otherwise why not.</summary>
        private async Task<string?> ProbeAsync(CancellationToken cancellationToken)
        {
            try
            {
                _probe ??= executor._channels.CreateProbe(endpoint);
                using HttpResponseMessage response = await _probe.GetAsync("healthz", cancellationToken).ConfigureAwait(false);
                return response.StatusCode == HttpStatusCode.OK ? null : $"/healthz answered {(int)response.StatusCode}";
            }
            catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException or IOException)
            {
                // A connection that broke is not kept for the next probe.
                _probe?.Dispose();
                _probe = null;
                return exception.GetBaseException().Message;
            }
        }

        private static async Task DelayAsync(TimeSpan delay, CancellationToken cancellationToken)
        {
            try
            {
                await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }
        }
    }
}
