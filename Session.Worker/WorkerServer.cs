using System.ComponentModel;
using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using ProcessFutures.Internal;
using ProcessFutures.Protocol;

namespace ProcessFutures.Infrastructure;

/// <summary>
/// Infrastructure (see <see cref="MessageStream"/>): a worker's side of the protocol, whatever
/// carries it (the local socket host here, the gRPC hosts of ProcessFutures.Remote). It serves one
/// slot's stream at a time per call of <see cref="ServeAsync"/>: the hello, then requests one
/// after another, each run by the request runner. Failures are answered as error frames, never as
/// a broken stream (a broken stream means the worker died); a frame that breaks the protocol is
/// answered, then the stream ends. Nothing a client sends ends the worker.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public sealed class WorkerServer : IDisposable
{
    /// <summary>How long a new stream may take to say hello.</summary>
    public static readonly TimeSpan HelloTimeout = TimeSpan.FromSeconds(10);

    private readonly HttpClientCache _clients = new();
    private readonly CallbackRegistry _callbacks;
    private readonly bool _remote;
    private readonly CancellationToken _draining;
    private readonly ILogger _logger;

    /// <summary>Creates the server a worker process keeps for its life.</summary>
    /// <param name="remote">
    /// A remote worker: callbacks only from assemblies it ships, by simple name, public static
    /// methods of public types; a request that names a file path is refused.
    /// </param>
    /// <param name="draining">Cancelled when the worker is told to stop: answers then say so, so clients send nothing more.</param>
    /// <param name="loggerFactory">Receives the server's events (refused requests and callbacks, clients gone away); default: none.</param>
    public WorkerServer(bool remote, CancellationToken draining = default, ILoggerFactory? loggerFactory = null)
    {
        _remote = remote;
        _draining = draining;
        _callbacks = new CallbackRegistry(remote);
        _logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger<WorkerServer>();
    }

    /// <summary>Exports the worker's own spans and metrics with OTLP, when the standard OTEL_EXPORTER_OTLP_* environment asks for it.</summary>
    public static void ExportTelemetryIfAsked() => WorkerTelemetry.ExportIfAsked();

    /// <summary>Sends what is waiting to be exported (the worker is about to exit); at most a second.</summary>
    public static void FlushTelemetry() => WorkerTelemetry.Flush();

    /// <summary>Whether <paramref name="presented"/> is <paramref name="expected"/>, compared in constant time.</summary>
    /// <param name="expected">The worker's token.</param>
    /// <param name="presented">What a client presented.</param>
    /// <returns>True when they are equal.</returns>
    public static bool TokenMatches(string expected, string? presented) =>
        presented is not null && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(presented), Encoding.UTF8.GetBytes(expected));

    /// <summary>
    /// Serves one slot's stream until the client ends it or goes away. The stream's first message
    /// must be a hello; with <paramref name="token"/> set (a transport that did not check one
    /// already), it must carry that token, within <see cref="HelloTimeout"/>, or the stream is
    /// closed unread.
    /// </summary>
    /// <param name="stream">The slot's stream.</param>
    /// <param name="token">The token the hello must carry; null when the transport checked it.</param>
    /// <param name="cancellationToken">Cancelled when the client went away.</param>
    /// <returns>A task that completes when the stream is done; it does not fault.</returns>
    public async Task ServeAsync(MessageStream stream, string? token, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var channel = new FrameChannel<ClientFrame, WorkerFrame>(stream, ClientFrame.Parser);
        using var broken = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        ServedCall? call = null;
        bool clean = false;
        try
        {
            (bool accepted, string? mismatch) = await HelloAsync(channel, token, broken.Token).ConfigureAwait(false);
            if (!accepted)
            {
                return;
            }

            long cancelledEarly = 0;
            while (await channel.ReadAsync(broken.Token).ConfigureAwait(false) is { } frame)
            {
                if (frame.Cancel != 0)
                {
                    // The cancel can overtake the request it names: remember it for its start.
                    if (call?.Id == frame.Cancel)
                    {
                        call.Cancel();
                    }
                    else if (frame.Cancel > (call?.Id ?? 0))
                    {
                        cancelledEarly = frame.Cancel;
                    }

                    continue;
                }

                if (frame.Start is { } item)
                {
                    if (call is not null)
                    {
                        // The client sends the next start once it has the last answer's end.
                        await call.Completion.ConfigureAwait(false);
                        bool inStep = call.BodyComplete;
                        call.Dispose();
                        call = null;
                        if (!inStep)
                        {
                            throw new InvalidDataException("A request began before the previous one's body was all sent.");
                        }
                    }

                    if (mismatch is not null)
                    {
                        await channel.WriteAsync(new WorkerFrame { Error = WorkerErrors.From(ErrorKind.Rejected, new InvalidOperationException(mismatch)), End = true }).ConfigureAwait(false);
                        return;
                    }

                    call = ServedCall.Begin(item, broken.Token);
                    if (item.CallId == cancelledEarly)
                    {
                        call.Cancel();
                    }

                    call.Start(served => RunAsync(served, item, channel));
                    continue;
                }

                if (!frame.Body.IsEmpty && call is not null)
                {
                    if (!await call.TakeBodyAsync(frame.Body.Memory).ConfigureAwait(false))
                    {
                        throw new InvalidDataException($"A request body has more bytes than its start announced.");
                    }

                    continue;
                }

                throw new InvalidDataException("A frame is neither a request, a chunk of its body, nor a cancel.");
            }

            clean = true;
        }
        catch (InvalidDataException exception)
        {
            // The stream's framing can no longer be trusted: answer, then end the stream.
            WorkerServerLog.BrokeProtocol(_logger, exception.Message);
            await TryWriteAsync(channel, new WorkerFrame { Error = WorkerErrors.From(ErrorKind.Rejected, exception), End = true }).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is OperationCanceledException or IOException or ObjectDisposedException)
        {
            // The client went away: what runs for it stops.
            if (call is not null && !call.Completion.IsCompleted)
            {
                WorkerServerLog.ClientGone(_logger, call.Id);
            }
        }
        finally
        {
            if (!clean)
            {
                await broken.CancelAsync().ConfigureAwait(false);
            }

            if (call is not null)
            {
                // On a clean end the request finishes and answers; otherwise it was just cancelled.
                await call.Completion.ConfigureAwait(false);
                call.Dispose();
            }
        }

        try
        {
            await channel.CompleteAsync().ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is IOException or ObjectDisposedException or OperationCanceledException)
        {
        }
    }

    /// <summary>Releases the worker's HTTP clients.</summary>
    public void Dispose() => _clients.Dispose();

    /// <summary>Reads the hello: not accepted when the stream is to be closed unread; accepted with the protocol mismatch to answer the first request with, if any.</summary>
    private async Task<(bool Accepted, string? Mismatch)> HelloAsync(FrameChannel<ClientFrame, WorkerFrame> channel, string? token, CancellationToken cancellationToken)
    {
        ClientFrame? first;
        using (var hello = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
        {
            hello.CancelAfter(HelloTimeout);
            try
            {
                first = await channel.ReadAsync(hello.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                return (false, null);
            }
            catch (Exception exception) when (exception is InvalidDataException or IOException)
            {
                // Not this protocol, or too large before a token was shown.
                return (false, null);
            }
        }

        if (first?.Hello is not { } greeting || (token is not null && !TokenMatches(token, greeting.Token)))
        {
            WorkerServerLog.TokenRefused(_logger);
            return (false, null);
        }

        channel.Stream.HelloAccepted();
        return greeting.Protocol == ProtocolVersion.Current
            ? (true, null)
            : (true, $"This worker speaks protocol {(int)ProtocolVersion.Current} and the client protocol {(int)greeting.Protocol}: a client and its workers must come from the same ProcessFutures version.");
    }

    private async Task RunAsync(ServedCall call, WorkItem item, FrameChannel<ClientFrame, WorkerFrame> channel)
    {
        HttpRequest request = item.Request;
        ResolvedCallback? callback;
        HttpClient client;
        try
        {
            if (_remote && (request.DownloadPath.Length > 0 || request.UploadPath.Length > 0))
            {
                throw new InvalidOperationException("The request names a file path: a remote worker never opens a path a client sends (DownloadTo and UploadFrom name the caller's files, which travel on the stream).");
            }

            callback = item.Callback is null ? null : _callbacks.Resolve(item.Callback);
            client = _clients.Get(request.Transport ?? new TransportSettings { VerifyTls = true });
        }
        catch (Exception exception)
        {
            WorkerServerLog.RequestRefused(_logger, item.Callback is { } named ? $"{named.TypeName}.{named.MethodName}" : "(none)", exception.Message);
            await channel.WriteAsync(new WorkerFrame { Error = WorkerErrors.From(ErrorKind.Rejected, exception), End = true }).ConfigureAwait(false);
            return;
        }

        var answer = new FrameAnswer(channel, callback, _draining);
        RequestBody body;
        try
        {
            // A local worker sends the caller's file itself (same machine, same user).
            body = request.UploadPath.Length > 0 ? RequestBody.FromFile(request.UploadPath) : await call.BodyAsync(item).ConfigureAwait(false);
        }
        catch (OperationCanceledException exception)
        {
            await answer.FailAsync(ErrorKind.Canceled, exception).ConfigureAwait(false);
            return;
        }

        TimeSpan timeout = request.TimeoutTicks > 0 ? TimeSpan.FromTicks(request.TimeoutTicks) : Timeout.InfiniteTimeSpan;
        using var deadline = new RequestDeadline(timeout, call.Token);
        using Activity? activity = WorkerTelemetry.Start(request);
        await RequestRunner.RunAsync(
            new RequestRun
            {
                Client = client,
                Request = request,
                Body = body,
                Jar = CookieJar.ForWorker(request.Jar),
                Deadline = deadline,
                Progress = request.ReportProgress ? new ProgressTracker(answer.PostProgress) : null,
            },
            answer).ConfigureAwait(false);
    }

    private static async Task TryWriteAsync(FrameChannel<ClientFrame, WorkerFrame> channel, WorkerFrame frame)
    {
        try
        {
            await channel.WriteAsync(frame).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is IOException or ObjectDisposedException or OperationCanceledException)
        {
        }
    }
}
