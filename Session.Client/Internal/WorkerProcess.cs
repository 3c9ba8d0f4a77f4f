using System.ComponentModel;
using System.Diagnostics;
using System.Net.Sockets;
using System.Runtime.Serialization;
using System.Threading.Channels;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using MessagePack;
using Microsoft.Extensions.Logging;
using Session.Contracts.Internal;
using Session.Shared;
using Session.Protocol;
using WorkerProtocol = Session.Protocol.Worker;

namespace Session.Client.Internal;

/// <summary>
/// One running worker process: its gRPC channel, its slots (each a loop that takes the next
/// queued request when its last one ended), and its end. Death is event-driven: the process's
/// exit, or a kill by the pool, cancels every call on it at once.
/// </summary>
internal sealed class WorkerProcess
{
    /// <summary>How long past a request's timeout its worker may go before it is killed for overrunning.</summary>
    internal static readonly TimeSpan OverrunMargin = TimeSpan.FromSeconds(1);

    /// <summary>How long a worker told to exit (stdin closed) may take before it is killed.</summary>
    private static readonly TimeSpan s_exitWait = TimeSpan.FromSeconds(2);

    private readonly ProcessPoolExecutor _pool;
    private readonly Process _process;
    private readonly GrpcChannel _channel;
    private readonly WorkerProtocol.WorkerClient _client;
    private readonly Metadata _headers;
    private readonly WorkerOutput _output;
    private readonly string _socketPath;
    private readonly Task<int> _exited;
    private readonly int _taskLimit;
    private readonly CancellationTokenSource _stopTaking = new();
    private readonly CancellationTokenSource _dead = new();
    private readonly TaskCompletionSource _stoppedTaking = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly ILogger _logger;
    private Task[] _slots = [];
    private long _lastCallId;
    private int _tasksDone;
    private int _inFlight;
    private int _retiring;
    private int _stopping;
    private string? _killReason;

    public WorkerProcess(ProcessPoolExecutor pool, Process process, string socketPath, string token, Task<int> exited, WorkerOutput output, int taskLimit, ILogger logger)
    {
        _pool = pool;
        _process = process;
        _socketPath = socketPath;
        _exited = exited;
        _output = output;
        _taskLimit = taskLimit;
        _logger = logger;
        ProcessId = process.Id;
        _channel = GrpcChannel.ForAddress("http://processfutures-worker", new GrpcChannelOptions
        {
            HttpHandler = CreateHandler(socketPath),
            DisposeHttpClient = true,
        });
        _client = new WorkerProtocol.WorkerClient(_channel);
        _headers = new Metadata { { WorkerEnvironment.TokenHeader, token } };
        _ = WatchExitAsync();
    }

    public int ProcessId { get; }

    public bool IsDead => _dead.IsCancellationRequested;

    public int TasksDone => Volatile.Read(ref _tasksDone);

    public bool IsRetiring => Volatile.Read(ref _retiring) != 0;

    /// <summary>Completes when this worker takes no more requests: it died, or it is retiring.</summary>
    public Task StoppedTaking => _stoppedTaking.Task;

    /// <summary>Starts the worker's slots taking requests from the pool's queue.</summary>
    public void Serve(int slots)
    {
        _slots = new Task[slots];
        for (int i = 0; i < slots; i++)
        {
            _slots[i] = Task.Run(SlotLoopAsync);
        }
    }

    /// <summary>Stops taking requests; the worker finishes what it runs, and is replaced.</summary>
    public void Retire(string reason)
    {
        if (Interlocked.Exchange(ref _retiring, 1) == 0)
        {
            ProcessPoolLog.WorkerRecycling(_logger, ProcessId, reason);
            StopTaking();
        }
    }

    /// <summary>Kills the process now; every request on it fails with WorkerCrashedException.</summary>
    public void Kill(string reason)
    {
        if (Interlocked.CompareExchange(ref _killReason, reason, null) is null && !_exited.IsCompleted)
        {
            ProcessPoolLog.WorkerKilled(_logger, ProcessId, reason);
        }

        try
        {
            _process.Kill();
        }
        catch (Exception exception) when (exception is InvalidOperationException or Win32Exception)
        {
            // It already exited.
        }

        MarkDead();
    }

    /// <summary>
    /// Stops the worker: no new requests; running ones may finish within <paramref name="grace"/>
    /// (infinite: as long as they take; each has its own timeout); then stdin is closed, which
    /// tells the worker to exit, and a worker that does not is killed. Releases everything.
    /// </summary>
    public async Task StopAsync(TimeSpan grace)
    {
        Volatile.Write(ref _stopping, 1);
        StopTaking();
        Task slots = Task.WhenAll(_slots);
        if (grace == Timeout.InfiniteTimeSpan)
        {
            await slots.ConfigureAwait(false);
        }
        else if (await Task.WhenAny(slots, Task.Delay(grace)).ConfigureAwait(false) != slots)
        {
            Kill($"requests were still running after the shutdown grace period of {grace.TotalSeconds:0.###} s");
        }

        if (!IsDead)
        {
            try
            {
                _process.StandardInput.Close();
            }
            catch (Exception exception) when (exception is IOException or InvalidOperationException)
            {
            }

            if (await Task.WhenAny(_exited, Task.Delay(s_exitWait)).ConfigureAwait(false) != _exited)
            {
                Kill($"it did not exit within {s_exitWait.TotalSeconds:0} s of being told to");
            }
        }

        await slots.ConfigureAwait(false);
        await Task.WhenAny(_exited, Task.Delay(s_exitWait)).ConfigureAwait(false);
        _channel.Dispose();
        _process.Dispose();
        try
        {
            File.Delete(_socketPath);
        }
        catch (IOException)
        {
        }

        ProcessPoolLog.WorkerStopped(_logger, ProcessId);
    }

    private async Task WatchExitAsync()
    {
        int exitCode = await _exited.ConfigureAwait(false);
        bool expected = Volatile.Read(ref _stopping) != 0 || _killReason is not null;
        MarkDead();
        if (!expected)
        {
            ProcessPoolLog.WorkerDied(_logger, ProcessId, exitCode, Volatile.Read(ref _inFlight), $"It printed: {_output.Last()}");
        }
    }

    private void StopTaking()
    {
        _stopTaking.Cancel();
        _stoppedTaking.TrySetResult();
    }

    private void MarkDead()
    {
        StopTaking();
        _dead.Cancel();
    }

    private async Task SlotLoopAsync()
    {
        ChannelReader<PendingWork> queue = _pool.Queue;
        SlotStream? stream = null;
        try
        {
            while (!_stopTaking.IsCancellationRequested)
            {
                PendingWork work;
                try
                {
                    work = await queue.ReadAsync(_stopTaking.Token).ConfigureAwait(false);
                }
                catch (Exception exception) when (exception is OperationCanceledException or ChannelClosedException)
                {
                    return;
                }

                if (work.TryStart())
                {
                    try
                    {
                        stream ??= new SlotStream(_client.Serve(_headers, cancellationToken: _dead.Token));
                    }
                    catch (Exception exception)
                    {
                        // The work was taken: it must still end.
                        await FailAsync(work, exception).ConfigureAwait(false);
                        continue;
                    }

                    if (!await RunAsync(work, stream).ConfigureAwait(false))
                    {
                        // The stream is broken or out of step: the next request opens a new one.
                        stream.Dispose();
                        stream = null;
                    }

                    AfterRequest();
                }
            }
        }
        finally
        {
            if (stream is not null)
            {
                if (!IsDead)
                {
                    await stream.CloseAsync().ConfigureAwait(false);
                }

                stream.Dispose();
            }
        }
    }

    private void AfterRequest()
    {
        int done = Interlocked.Increment(ref _tasksDone);
        if (IsRetiring || IsDead)
        {
            return;
        }

        long memoryLimit = _pool.Options.MaxWorkerMemoryBytes;
        if (_taskLimit > 0 && done >= _taskLimit)
        {
            Retire($"it served {done} requests (MaxTasksPerWorker {_pool.Options.MaxTasksPerWorker})");
        }
        else if (memoryLimit > 0 && ProcessMemory.ResidentBytes(ProcessId) is long resident && resident > memoryLimit)
        {
            Retire($"{resident} bytes resident, over MaxWorkerMemoryBytes {memoryLimit}");
        }
    }

    /// <summary>Runs one request on the slot's stream; false if the stream cannot carry another.</summary>
    private async Task<bool> RunAsync(PendingWork work, SlotStream stream)
    {
        Interlocked.Increment(ref _inFlight);
        CancellationTokenRegistration onCallerCancel = default;
        Timer? overrun = null;
        Task? cancelling = null;
        bool reusable = false;
        try
        {
            byte[]? content = work.Request.Content;
            work.Request.Jar = work.Session.Jar.Snapshot();
            long callId = Interlocked.Increment(ref _lastCallId);
            var item = new WorkItem { Request = work.Request, ContentLength = content?.Length ?? 0, Callback = work.RemoteCallback, CallId = callId };
            byte[] start = ContractSerializer.ToBytes(item);
            if (start.Length > WireLimits.MaxStartFrame)
            {
                work.Fail(new ArgumentException(
                    $"The request to '{work.Request.Url}' carries {start.Length} bytes of headers, cookies and URL, more than the {WireLimits.MaxStartFrame} a worker accepts in one frame."));
                return true;
            }

            // The common case is one message: the work item with the whole body.
            var first = new ClientFrame { Start = UnsafeByteOperations.UnsafeWrap(start) };
            int inline = Math.Min(content?.Length ?? 0, WireLimits.MaxInlineBody);
            if (inline > 0)
            {
                first.Body = UnsafeByteOperations.UnsafeWrap(content.AsMemory(0, inline));
            }

            await stream.WriteAsync(first).ConfigureAwait(false);
            for (int offset = inline; content is not null && offset < content.Length; offset += WireLimits.ChunkSize)
            {
                // A request cancelled mid-upload breaks the stream (the worker then drops it).
                work.CancellationToken.ThrowIfCancellationRequested();
                await stream.WriteAsync(new ClientFrame { Body = UnsafeByteOperations.UnsafeWrap(content.AsMemory(offset, Math.Min(WireLimits.ChunkSize, content.Length - offset))) }).ConfigureAwait(false);
            }

            TimeSpan timeout = work.Request.Timeout;
            if (timeout != Timeout.InfiniteTimeSpan)
            {
                overrun = new Timer(_ => OnOverrun(work, timeout), null, timeout + OverrunMargin, Timeout.InfiniteTimeSpan);
            }

            // From here the worker runs the request: the caller's cancellation ends the task at
            // once and asks the worker to abort; the slot stays busy until the worker answers.
            onCallerCancel = work.CancellationToken.UnsafeRegister(
                _ =>
                {
                    work.Fail(new OperationCanceledException(work.CancellationToken));
                    cancelling = stream.CancelAsync(callId);
                },
                null);
            reusable = await ReadAnswerAsync(stream.Replies, work).ConfigureAwait(false);
        }
        catch (Exception exception)
        {
            await FailAsync(work, exception).ConfigureAwait(false);
        }
        finally
        {
            await onCallerCancel.DisposeAsync().ConfigureAwait(false);
            if (overrun is not null)
            {
                await overrun.DisposeAsync().ConfigureAwait(false);
            }

            if (cancelling is not null)
            {
                await cancelling.ConfigureAwait(false);
            }

            Interlocked.Decrement(ref _inFlight);
        }

        return reusable;
    }

    /// <summary>Reads one answer, up to its end frame, and ends the work with it; false if the worker refused the framing.</summary>
    private async Task<bool> ReadAnswerAsync(IAsyncStreamReader<WorkerFrame> replies, PendingWork work)
    {
        ResponseHead? head = null;
        BodyBuffer? buffer = null;
        bool reusable = true;
        try
        {
            while (true)
            {
                if (!await replies.MoveNext(CancellationToken.None).ConfigureAwait(false))
                {
                    throw new IOException($"Worker {ProcessId} ended its stream in the middle of an answer.");
                }

                WorkerFrame frame = replies.Current;
                _pool.CountFromWorkers(frame.CalculateSize());
                if (!frame.Error.IsEmpty)
                {
                    WorkerError error = ContractSerializer.FromBytes<WorkerError>(frame.Error.Memory);
                    reusable = error.Kind != WorkerErrorKind.Rejected;
                    work.Fail(RemoteExceptions.Create(error, work.RemoteCallback, ProcessId));
                }

                if (!frame.Head.IsEmpty)
                {
                    head = ContractSerializer.FromBytes<ResponseHead>(frame.Head.Memory);
                    foreach (KeyValuePair<string, string> setCookie in head.SetCookies)
                    {
                        work.Session.Jar.SetCookies(new Uri(setCookie.Key), setCookie.Value);
                    }

                    buffer = new BodyBuffer(work.RemoteCallback is null ? head.ContentLength : -1);
                }

                if (!frame.Chunk.IsEmpty)
                {
                    (buffer ?? throw new InvalidDataException($"Worker {ProcessId} sent a chunk before the response head.")).Write(frame.Chunk.Span);
                }

                if (frame.End)
                {
                    break;
                }
            }

            if (work.IsEnded)
            {
                return reusable;
            }

            if (head is null || buffer is null)
            {
                throw new InvalidDataException($"Worker {ProcessId} ended an answer without a response.");
            }

            if (work.RemoteCallback is null)
            {
                work.Complete(head.ToResponse(buffer.ToArray()));
                return true;
            }

            object? result;
            try
            {
                result = MessagePackSerializer.Deserialize(work.RemoteResultType!, buffer.ToArray(), ContractSerializer.Options);
            }
            catch (MessagePackSerializationException exception)
            {
                work.Fail(new SerializationException(
                    $"The result of callback '{work.RemoteCallback.DisplayName}' from worker {ProcessId} could not be read as '{work.RemoteResultType}': {exception.Message}", exception));
                return true;
            }

            work.CompleteWithResult(result);
            return true;
        }
        finally
        {
            buffer?.Dispose();
        }
    }

    private async Task FailAsync(PendingWork work, Exception exception)
    {
        if (work.IsEnded)
        {
            return;
        }

        if (!IsDead && exception is OperationCanceledException && work.CancellationToken.IsCancellationRequested)
        {
            work.Fail(exception);
            return;
        }

        if (IsConnectionRefused(exception))
        {
            // No connection, so nothing reached the worker: its socket refuses connections, so it is dead or dying.
            // The request goes back to the queue for another worker; this is not a retry.
            Kill("its socket refused a connection");
            _pool.Requeue(work);
            return;
        }

        if (IsDead || exception is RpcException or IOException)
        {
            if (!IsDead && await Task.WhenAny(_exited, Task.Delay(s_exitWait)).ConfigureAwait(false) != _exited)
            {
                Kill($"its call broke while it kept running ({exception.Message})");
            }

            await Task.WhenAny(_exited, Task.Delay(s_exitWait)).ConfigureAwait(false);
            int? exitCode = _exited.IsCompletedSuccessfully ? _exited.Result : null;
            work.Fail(new WorkerCrashedException(CrashMessage(work, exitCode), ProcessId, exitCode, exception));
            return;
        }

        work.Fail(exception);
    }

    private string CrashMessage(PendingWork work, int? exitCode)
    {
        string how = exitCode is int code ? $"exited with code {code}{SignalName(code)}" : "died";
        string why = _killReason is { } reason ? $"; the pool killed it: {reason}" : string.Empty;
        return $"Worker process {ProcessId} {how} while running this request ({work.Request.Method} {work.Request.Url}){why}. " +
            "The pool replaces it; the request was not retried, as it may not be idempotent.";
    }

    private static string SignalName(int exitCode) => exitCode switch
    {
        134 => " (SIGABRT)",
        137 => " (SIGKILL)",
        139 => " (SIGSEGV)",
        143 => " (SIGTERM)",
        > 128 and < 160 => $" (signal {exitCode - 128})",
        _ => string.Empty,
    };

    private void OnOverrun(PendingWork work, TimeSpan timeout)
    {
        if (IsDead)
        {
            return;
        }

        // The worker could not end the request in time (a callback cannot be stopped inside
        // .NET): this request times out, and its worker is killed and replaced.
        work.Fail(RequestDeadline.TimeoutException(timeout));
        Kill($"a request ({work.Request.Method} {work.Request.Url}) overran its timeout of {timeout.TotalSeconds:0.###} s by {OverrunMargin.TotalSeconds:0} s");
    }

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

    private static SocketsHttpHandler CreateHandler(string socketPath) => new()
    {
        ConnectCallback = async (_, cancellationToken) =>
        {
            var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            try
            {
                await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), cancellationToken).ConfigureAwait(false);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        },
        EnableMultipleHttp2Connections = true,
        PooledConnectionIdleTimeout = Timeout.InfiniteTimeSpan,

        // Over a Unix socket the round trip is tiny, so the default 64 KiB window (grown by
        // round-trip estimates) would make a large body wait for window updates.
        InitialHttp2StreamWindowSize = 4 * 1024 * 1024,
    };
}
