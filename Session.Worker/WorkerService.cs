using System.Buffers;
using System.Reflection;
using Google.Protobuf;
using Grpc.Core;
using MessagePack;
using Session.Contracts;
using Session.Contracts.Internal;
using Session.Shared;
using Session.Protocol;
using Session.Worker.Internal;
using WorkerProtocol = Session.Protocol.Worker;

namespace Session.Worker;

/// <summary>
/// Serves one slot's stream: requests one after another. Each is sent with the client for its
/// transport settings; the answer is the head with the first chunk of the body, then the rest;
/// or the named callback's MessagePack result. Failures are answered as an error frame, never
/// as a broken stream: a broken stream means the worker died.
/// </summary>
internal sealed class WorkerService(HttpClientCache clients, CallbackRegistry callbacks) : WorkerProtocol.WorkerBase
{
    public override async Task Serve(IAsyncStreamReader<ClientFrame> requestStream, IServerStreamWriter<WorkerFrame> responseStream, ServerCallContext context)
    {
        // One loop reads the stream and runs what it reads, so that a request starts on the
        // thread that received it. While a request runs, the next read is already pending: a
        // cancel frame naming the request aborts it; the next request's start (sent once the
        // client has the answer's end) waits its turn. No read is left pending on return.
        CancellationToken callToken = context.CancellationToken;
        var current = new CurrentCall();
        Task<bool> next = requestStream.MoveNext(callToken);
        try
        {
            while (await next)
            {
                ClientFrame frame = requestStream.Current;
                if (frame.Cancel != 0)
                {
                    current.Cancel(frame.Cancel);
                    next = requestStream.MoveNext(callToken);
                    continue;
                }

                var answer = new AnswerWriter(responseStream);
                WorkItem item;
                ReadOnlyMemory<byte>? body;
                try
                {
                    if (frame.Start.IsEmpty)
                    {
                        throw new InvalidDataException("A request must begin with a 'start' frame.");
                    }

                    item = ContractSerializer.FromBytes<WorkItem>(frame.Start.Memory);
                    body = await ReadBodyAsync(frame, requestStream, item.ContentLength, callToken);
                }
                catch (Exception exception) when (exception is InvalidDataException or MessagePackSerializationException or FormatException or EndOfStreamException)
                {
                    // The stream's framing can no longer be trusted: answer, then end the stream.
                    await answer.WriteErrorAsync(WorkerErrorKind.Rejected, exception);
                    return;
                }

                using var cancel = CancellationTokenSource.CreateLinkedTokenSource(callToken);
                current.Begin(item.CallId, cancel);
                Task run = RunAsync(item, body, answer, cancel.Token);
                try
                {
                    // When this ends, 'next' is pending, or holds what follows (the next start,
                    // a late cancel, or the end of the stream): the loop takes it from there.
                    next = requestStream.MoveNext(callToken);
                    while (!run.IsCompleted && await Task.WhenAny(run, next) == next && await next && requestStream.Current.Cancel != 0)
                    {
                        current.Cancel(requestStream.Current.Cancel);
                        next = requestStream.MoveNext(callToken);
                    }
                }
                finally
                {
                    await run;
                    current.End();
                }
            }
        }
        catch (Exception exception) when (exception is OperationCanceledException or IOException && callToken.IsCancellationRequested)
        {
            // The client went away.
        }
    }

    private async Task RunAsync(WorkItem item, ReadOnlyMemory<byte>? body, AnswerWriter answer, CancellationToken cancellationToken)
    {
        MethodInfo? callback = null;
        HttpClient client;
        try
        {
            if (item.Callback is not null)
            {
                callback = callbacks.Resolve(item.Callback);
            }

            client = clients.Get(item.Request.Transport);
        }
        catch (Exception exception)
        {
            await answer.WriteErrorAsync(WorkerErrorKind.Rejected, exception);
            return;
        }

        CookieJar jar = CookieJar.ForWorker(item.Request.Jar);
        Response response;
        using (var deadline = new RequestDeadline(item.Request.Timeout, cancellationToken))
        {
            try
            {
                ExchangeResult exchange = await HttpExchange.SendAsync(client, item.Request, body, jar, deadline.Token);
                if (callback is null)
                {
                    using HttpResponseMessage message = exchange.Response;
                    answer.SetHead(Head(exchange, HttpExchange.CollectHeaders(message), jar, message.Content.Headers.ContentLength ?? -1));
                    await StreamBodyAsync(message, answer, deadline.Token);
                    return;
                }

                response = await HttpExchange.ReadResponseAsync(exchange, deadline.Token);
                answer.SetHead(Head(exchange, response.Headers, jar, contentLength: 0));
            }
            catch (OperationCanceledException exception) when (!answer.Ended)
            {
                bool timedOut = deadline.TimedOut;
                await answer.WriteErrorAsync(timedOut ? WorkerErrorKind.Timeout : WorkerErrorKind.Canceled, deadline.Translate(exception));
                return;
            }
            catch (Exception exception) when (exception is not OperationCanceledException && !answer.Ended)
            {
                await answer.WriteErrorAsync(WorkerErrorKind.Transport, exception);
                return;
            }
        }

        await RunCallbackAsync(callback, response, answer);
    }

    private static async Task RunCallbackAsync(MethodInfo callback, Response response, AnswerWriter answer)
    {
        object? result;
        try
        {
            result = callback.Invoke(null, BindingFlags.DoNotWrapExceptions, binder: null, [response], culture: null);
        }
        catch (Exception exception)
        {
            await answer.WriteErrorAsync(WorkerErrorKind.Callback, exception);
            return;
        }

        using var serialized = new BodyBuffer();
        try
        {
            MessagePackSerializer.Serialize(callback.ReturnType, serialized, result, ContractSerializer.Options);
        }
        catch (Exception exception)
        {
            await answer.WriteErrorAsync(WorkerErrorKind.Serialization, exception);
            return;
        }

        long left = serialized.Length;
        foreach (ReadOnlyMemory<byte> segment in serialized.Segments)
        {
            for (int offset = 0; offset < segment.Length; offset += WireLimits.ChunkSize)
            {
                ReadOnlyMemory<byte> chunk = segment.Slice(offset, Math.Min(WireLimits.ChunkSize, segment.Length - offset));
                left -= chunk.Length;
                await answer.WriteAsync(chunk, last: left == 0);
            }
        }
    }

    private static async Task StreamBodyAsync(HttpResponseMessage message, AnswerWriter answer, CancellationToken cancellationToken)
    {
        byte[] buffer = ArrayPool<byte>.Shared.Rent(WireLimits.ChunkSize);
        try
        {
            Stream stream = await message.Content.ReadAsStreamAsync(cancellationToken);
            await using (stream)
            {
                while (true)
                {
                    // A short read is the end of the body: that chunk is the last frame.
                    int read = await stream.ReadAtLeastAsync(buffer.AsMemory(0, WireLimits.ChunkSize), WireLimits.ChunkSize, throwOnEndOfStream: false, cancellationToken);
                    await answer.WriteAsync(buffer.AsMemory(0, read), last: read < WireLimits.ChunkSize);
                    if (read < WireLimits.ChunkSize)
                    {
                        return;
                    }
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static ByteString Head(ExchangeResult exchange, IReadOnlyDictionary<string, string> headers, CookieJar jar, long contentLength)
    {
        HttpResponseMessage message = exchange.Response;
        var head = new ResponseHead
        {
            StatusCode = (int)message.StatusCode,
            ReasonPhrase = message.ReasonPhrase,
            Url = exchange.Url.AbsoluteUri,
            Headers = [.. headers],
            SetCookies = jar.Recorded,
            Elapsed = exchange.Elapsed,
            ProcessId = Environment.ProcessId,
            ContentLength = contentLength,
        };
        return UnsafeByteOperations.UnsafeWrap(ContractSerializer.ToBytes(head));
    }

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

        byte[] body = new byte[length];
        start.Body.Span.CopyTo(body);
        int offset = start.Body.Length;
        while (offset < body.Length)
        {
            if (!await requestStream.MoveNext(cancellationToken))
            {
                throw new InvalidDataException($"The request body ended after {offset} of {length} bytes.");
            }

            ClientFrame frame = requestStream.Current;
            ReadOnlySpan<byte> chunk = frame.Body.Span;
            if (!frame.Start.IsEmpty || chunk.Length > body.Length - offset)
            {
                throw new InvalidDataException($"The request body does not match the {length} bytes announced.");
            }

            chunk.CopyTo(body.AsSpan(offset));
            offset += chunk.Length;
        }

        return body;
    }
}
