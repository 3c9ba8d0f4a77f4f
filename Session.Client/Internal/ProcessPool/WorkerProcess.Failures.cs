using System.Net.Sockets;
using Grpc.Core;

namespace Session.Client.Internal;

/// <summary>What the failure of a call on a worker means: a request to requeue, a dead worker, or the request's own error.</summary>
internal sealed partial class WorkerProcess
{
    /// <summary>
    /// Says what a failure of a call on this worker means for its request: null when the request
    /// never reached the worker and went back to the queue; a <see cref="WorkerCrashedException"/>
    /// when the worker died (or its call broke while it ran on, and it was killed for it);
    /// otherwise the exception itself. A message too large for the channel is not a dead worker.
    /// </summary>
    public async Task<Exception?> ExplainFailureAsync(PendingWork work, Exception exception)
    {
        if (!IsDead && exception is OperationCanceledException && work.CancellationToken.IsCancellationRequested)
        {
            return exception;
        }

        if (IsConnectionRefused(exception))
        {
            // Its socket refuses connections, so it is dead or dying, and nothing reached it.
            // The request goes back to the queue for another worker; this is not a retry.
            Kill("its socket refused a connection", WorkerExitReason.Crash);
            Host.Requeue(work);
            return null;
        }

        if (!IsDead && exception is RpcException { StatusCode: StatusCode.ResourceExhausted } tooLarge)
        {
            return new InvalidOperationException(
                $"A message between this process and worker {ProcessId} was larger than the channel allows ({tooLarge.Status.Detail}); this request failed, the worker was not harmed. This is a bug in ProcessFutures: messages are meant to be chunked.",
                exception);
        }

        if (IsDead || exception is RpcException or IOException)
        {
            if (!IsDead && !await ExitedWithinAsync(s_exitWait).ConfigureAwait(false))
            {
                Kill($"its call broke while it kept running ({exception.Message})", WorkerExitReason.Crash);
            }

            await ExitedWithinAsync(s_exitWait).ConfigureAwait(false);
            int? exitCode = _exited.IsCompletedSuccessfully ? _exited.Result : null;

            // Now, not when the exit watcher gets to it: this worker's slots must not take more work.
            MarkDead();
            return new WorkerCrashedException(CrashMessage(work, exitCode), ProcessId, exitCode, exception);
        }

        return exception;
    }

    private string CrashMessage(PendingWork work, int? exitCode)
    {
        string how = exitCode is int code ? How(code) : "died";
        string why = Volatile.Read(ref _killReason) is { } reason ? $"; the pool killed it because {reason}" : string.Empty;
        string next = Host.IsShuttingDown ? "The pool is shutting down." : "The pool replaces it.";
        return $"Worker process {ProcessId} {how} while running this request ({work.Request.Method} {Describe.Url(work.Request.Url)}){why}. " +
            $"The request was not retried, as it may not be idempotent. {next}";
    }

    /// <summary>"exited with code 3", or "was killed by SIGKILL (exit code 137)".</summary>
    private static string How(int exitCode) => exitCode switch
    {
        134 => "was killed by SIGABRT (exit code 134)",
        137 => "was killed by SIGKILL (exit code 137)",
        139 => "was killed by SIGSEGV (exit code 139)",
        143 => "was killed by SIGTERM (exit code 143)",
        > 128 and < 160 => $"was killed by signal {exitCode - 128} (exit code {exitCode})",
        _ => $"exited with code {exitCode}",
    };

    private static bool IsConnectionRefused(Exception exception)
    {
        for (Exception? e = exception; e is not null; e = e.InnerException ?? (e as RpcException)?.Status.DebugException)
        {
            if (e is SocketException { SocketErrorCode: SocketError.ConnectionRefused or SocketError.AddressNotAvailable }
                || e is HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError })
            {
                return true;
            }
        }

        return false;
    }
}
