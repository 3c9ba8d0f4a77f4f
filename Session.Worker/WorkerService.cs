using Grpc.Core;
using MessagePack;
using ProcessFutures.Protocol;
using WorkerProtocol = ProcessFutures.Protocol.Worker;

namespace ProcessFutures.Internal;

/// <summary>
/// Serves one slot's stream: requests one after another, each run by <see cref="RequestRunner"/>.
/// Failures are answered as an error frame, never as a broken stream: a broken stream means the
/// worker died. A frame that breaks the protocol's framing is answered, then the stream ends.
/// </summary>
internal sealed class WorkerService(RequestRunner runner, WorkerLifetime lifetime) : WorkerProtocol.WorkerBase
{
    public override Task Serve(IAsyncStreamReader<ClientFrame> requestStream, IServerStreamWriter<WorkerFrame> responseStream, ServerCallContext context) =>
        ServeAsync(requestStream, responseStream, context.CancellationToken);

    /// <summary>Serves one slot's stream, from gRPC or from a socket (<see cref="SocketWorkerHost"/>); <paramref name="callToken"/> is cancelled when the client goes away.</summary>
    internal async Task ServeAsync(IAsyncStreamReader<ClientFrame> requestStream, IServerStreamWriter<WorkerFrame> responseStream, CancellationToken callToken)
    {
        // One loop reads the stream and runs what it reads, so that a request starts on the
        // thread that received it. While a request runs, the next read is already pending: a
        // cancel frame naming the request aborts it; the next request's start (sent once the
        // client has the answer's end) waits its turn. No read is left pending on return.
        var current = new CurrentCall();
        Task<bool> next = requestStream.MoveNext(callToken);
        try
        {
            while (await next.ConfigureAwait(false))
            {
                ClientFrame frame = requestStream.Current;
                if (frame.Cancel != 0)
                {
                    current.Cancel(frame.Cancel);
                    next = requestStream.MoveNext(callToken);
                    continue;
                }

                var answer = new AnswerWriter(responseStream, lifetime);
                WorkItem item;
                ReadOnlyMemory<byte>? body;
                try
                {
                    if (frame.Start.IsEmpty)
                    {
                        throw new InvalidDataException("A request must begin with a 'start' frame.");
                    }

                    item = ContractSerializer.FromBytes<WorkItem>(frame.Start.Memory);
                    body = await ReadBodyAsync(frame, requestStream, item.ContentLength, callToken).ConfigureAwait(false);
                }
                catch (Exception exception) when (exception is InvalidDataException or MessagePackSerializationException or FormatException or EndOfStreamException)
                {
                    // The stream's framing can no longer be trusted: answer, then end the stream.
                    await answer.WriteErrorAsync(WorkerErrorKind.Rejected, exception).ConfigureAwait(false);
                    return;
                }

                using var cancel = CancellationTokenSource.CreateLinkedTokenSource(callToken);
                current.Begin(item.CallId, cancel);
                Task run = runner.RunAsync(item, body, answer, cancel.Token);
                try
                {
                    // When this ends, 'next' is pending, or holds what follows (the next start,
                    // a late cancel, or the end of the stream): the loop takes it from there.
                    next = requestStream.MoveNext(callToken);
                    while (!run.IsCompleted && await Task.WhenAny(run, next).ConfigureAwait(false) == next && await next.ConfigureAwait(false) && requestStream.Current.Cancel != 0)
                    {
                        current.Cancel(requestStream.Current.Cancel);
                        next = requestStream.MoveNext(callToken);
                    }
                }
                finally
                {
                    await run.ConfigureAwait(false);
                    current.End();
                }
            }
        }
        catch (Exception exception) when (exception is OperationCanceledException or IOException && callToken.IsCancellationRequested)
        {
            // The client went away.
        }
    }

    /// <summary>The request body: inline in the start frame, or continued in body frames, as long as the work item says.</summary>
    private static async Task<ReadOnlyMemory<byte>?> ReadBodyAsync(ClientFrame start, IAsyncStreamReader<ClientFrame> requestStream, long length, CancellationToken cancellationToken)
    {
        if (length == 0)
        {
            return null;
        }

        if (start.Body.Length == length)
        {
            return start.Body.Memory;
        }

        using var body = new BodyBuffer(length);
        body.Write(start.Body.Span);
        while (body.Length < length)
        {
            if (!await requestStream.MoveNext(cancellationToken).ConfigureAwait(false))
            {
                throw new InvalidDataException($"The request body ended after {body.Length} of {length} bytes.");
            }

            ClientFrame frame = requestStream.Current;
            if (!frame.Start.IsEmpty || frame.Body.Length > length - body.Length)
            {
                throw new InvalidDataException($"The request body does not match the {length} bytes announced.");
            }

            body.Write(frame.Body.Span);
        }

        return body.ToArray();
    }
}
