using System.Diagnostics;
using ProcessFutures.Protocol;

namespace ProcessFutures.Internal;

/// <summary>
/// One request a worker's stream is serving: its body as it arrives (inline, buffered from
/// <c>body</c> frames, or streamed on from them), its cancellation, and the task that runs it and
/// writes its answer. A request the worker refused (a callback it will not load, a path from a
/// client of a remote worker) is answered at once; its body frames are still taken, and dropped,
/// so the stream stays in step.
/// </summary>
[DebuggerDisplay("call {Id}, {_remaining} body bytes to come")]
internal sealed class ServedCall : IDisposable
{
    private readonly CancellationTokenSource _cancel;
    private readonly BodyBuffer? _buffered;
    private readonly TaskCompletionSource<ReadOnlyMemory<byte>>? _bufferedDone;
    private readonly StreamedUpload? _streamed;
    private long _remaining;

    private ServedCall(long id, CancellationToken streamToken, long remaining, BodyBuffer? buffered, StreamedUpload? streamed)
    {
        Id = id;
        _cancel = CancellationTokenSource.CreateLinkedTokenSource(streamToken);
        _remaining = remaining;
        _buffered = buffered;
        _streamed = streamed;
        if (buffered is not null)
        {
            _bufferedDone = new TaskCompletionSource<ReadOnlyMemory<byte>>(TaskCreationOptions.RunContinuationsAsynchronously);
        }
    }

    public long Id { get; }

    /// <summary>Completes when the request's answer is written (or the stream broke); never faults.</summary>
    public Task Completion { get; private set; } = Task.CompletedTask;

    /// <summary>Whether every byte of the body announced has arrived.</summary>
    public bool BodyComplete => _remaining == 0;

    /// <summary>
    /// Takes a request's start: its body as far as it came inline, and how the rest will come.
    /// Throws <see cref="InvalidDataException"/> when the frame breaks the protocol (the stream
    /// cannot be trusted after it).
    /// </summary>
    public static ServedCall Begin(WorkItem item, CancellationToken streamToken)
    {
        long length = item.BodyLength;
        int inline = item.InlineBody.Length;
        if (length < 0 || inline > length)
        {
            throw new InvalidDataException($"A request announces a body of {length} bytes with {inline} inline.");
        }

        HttpRequest? request = item.Request ?? throw new InvalidDataException("A request's start has no request.");
        if (length == inline)
        {
            return new ServedCall(item.CallId, streamToken, 0, null, null);
        }

        if (request.StreamBody)
        {
            return new ServedCall(item.CallId, streamToken, length - inline, null, new StreamedUpload(length));
        }

        if (length > Array.MaxLength)
        {
            throw new InvalidDataException($"A request body of {length} bytes is more than one array holds; only a streamed body may be that long.");
        }

        var buffer = new BodyBuffer(length);
        buffer.Write(item.InlineBody.Span);
        return new ServedCall(item.CallId, streamToken, length - inline, buffer, null);
    }

    /// <summary>The body to send: the inline bytes, the buffered body once whole, or the stream.</summary>
    public async ValueTask<RequestBody> BodyAsync(WorkItem item)
    {
        if (_streamed is not null)
        {
            if (!item.InlineBody.IsEmpty)
            {
                await TakeBodyAsync(item.InlineBody.Memory, inline: true).ConfigureAwait(false);
            }

            return _streamed;
        }

        if (_bufferedDone is not null)
        {
            return RequestBody.FromBytes(await _bufferedDone.Task.WaitAsync(Token).ConfigureAwait(false));
        }

        return item.BodyLength == 0 ? RequestBody.None : RequestBody.FromBytes(item.InlineBody.Memory);
    }

    /// <summary>Cancelled when the client cancels this request or the stream breaks.</summary>
    public CancellationToken Token => _cancel.Token;

    public void Cancel()
    {
        try
        {
            _cancel.Cancel();
        }
        catch (ObjectDisposedException)
        {
        }
    }

    /// <summary>Starts the task that runs the request (on this thread, up to its first wait).</summary>
    public void Start(Func<ServedCall, Task> run) => Completion = RunAsync(run);

    /// <summary>
    /// Takes a chunk of the body. A streamed one is handed on, waiting while the request has not
    /// taken the previous one (this is how a slow server slows the caller down). False when the
    /// chunk is more than the body announced: the stream is out of step.
    /// </summary>
    public async ValueTask<bool> TakeBodyAsync(ReadOnlyMemory<byte> chunk, bool inline = false)
    {
        if (!inline)
        {
            if (chunk.Length > _remaining)
            {
                return false;
            }

            _remaining -= chunk.Length;
        }

        if (_streamed is not null)
        {
            await _streamed.WriteAsync(chunk, Token).ConfigureAwait(false);
        }
        else if (_buffered is not null)
        {
            _buffered.Write(chunk.Span);
            if (_remaining == 0)
            {
                _bufferedDone!.TrySetResult(_buffered.ToArray());
            }
        }

        return true;
    }

    public void Dispose()
    {
        _streamed?.Close();
        _bufferedDone?.TrySetCanceled();
        _buffered?.Dispose();
        _cancel.Dispose();
    }

    private async Task RunAsync(Func<ServedCall, Task> run)
    {
        try
        {
            await run(this).ConfigureAwait(false);
        }
        catch (Exception)
        {
            // The stream broke under the answer (the runner answers every other failure itself):
            // nothing is left to tell, and the worker serves on.
        }
        finally
        {
            // The request no longer reads its body: chunks still to come are dropped.
            _streamed?.Close();
        }
    }
}
