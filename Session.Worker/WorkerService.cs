using System.Buffers;
using System.Reflection;
using Google.Protobuf;
using Grpc.Core;
using MessagePack;
using Session.Contracts;
using Session.Contracts.Internal;
using Session.Contracts.Protocol;
using Session.Worker.Internal;
using WorkerProtocol = Session.Contracts.Protocol.Worker;

namespace Session.Worker;

/// <summary>
/// Runs one request per call: sends it with the client for its transport settings, and streams
/// back the head with the first chunk of the body, then the rest of the body; or runs the named
/// callback and streams back its MessagePack result. Failures are answered as an error frame,
/// never as a broken call: a broken call means the worker died.
/// </summary>
internal sealed class WorkerService(HttpClientCache clients, CallbackRegistry callbacks, RunningCalls running) : WorkerProtocol.WorkerBase
{
    /// <summary>Under 85,000 bytes: no chunk ever lands on the large object heap.</summary>
    internal const int ChunkSize = 64 * 1024;

    public override async Task Execute(ExecuteRequest request, IServerStreamWriter<WorkerFrame> responseStream, ServerCallContext context)
    {
        WorkItem item;
        try
        {
            item = ContractSerializer.FromBytes<WorkItem>(request.Item.Memory);
            if (request.Body.Length != item.ContentLength)
            {
                throw new InvalidDataException($"The request body has {request.Body.Length} bytes; {item.ContentLength} were announced.");
            }
        }
        catch (Exception exception)
        {
            await WriteErrorAsync(responseStream, WorkerErrorKind.Rejected, exception);
            return;
        }

        await RunRegisteredAsync(item, item.ContentLength == 0 ? null : request.Body.Memory, responseStream, context.CancellationToken);
    }

    public override async Task ExecuteUpload(IAsyncStreamReader<ClientFrame> requestStream, IServerStreamWriter<WorkerFrame> responseStream, ServerCallContext context)
    {
        WorkItem item;
        ReadOnlyMemory<byte>? body;
        try
        {
            if (!await requestStream.MoveNext(context.CancellationToken))
            {
                return;
            }

            if (requestStream.Current.KindCase != ClientFrame.KindOneofCase.Start)
            {
                throw new InvalidDataException($"The first frame of a call must be 'start', not '{requestStream.Current.KindCase}'.");
            }

            item = ContractSerializer.FromBytes<WorkItem>(requestStream.Current.Start.Memory);
            body = await ReadBodyAsync(requestStream, item.ContentLength, context.CancellationToken);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            await WriteErrorAsync(responseStream, WorkerErrorKind.Rejected, exception);
            return;
        }

        await RunRegisteredAsync(item, body, responseStream, context.CancellationToken);
    }

    public override Task<CancelReply> Cancel(CancelRequest request, ServerCallContext context)
    {
        running.Cancel(request.CallId);
        return Task.FromResult(new CancelReply());
    }

    private async Task RunRegisteredAsync(WorkItem item, ReadOnlyMemory<byte>? body, IServerStreamWriter<WorkerFrame> responseStream, CancellationToken callToken)
    {
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(callToken);
        running.Register(item.CallId, cancel);
        try
        {
            await RunAsync(item, body, responseStream, cancel.Token);
        }
        finally
        {
            running.Unregister(item.CallId);
        }
    }

    private async Task RunAsync(WorkItem item, ReadOnlyMemory<byte>? body, IServerStreamWriter<WorkerFrame> responseStream, CancellationToken cancellationToken)
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
            await WriteErrorAsync(responseStream, WorkerErrorKind.Rejected, exception);
            return;
        }

        CookieJar jar = CookieJar.ForWorker(item.Request.Jar);
        Response response;
        ByteString head;
        using (var deadline = new RequestDeadline(item.Request.Timeout, cancellationToken))
        {
            try
            {
                ExchangeResult exchange = await HttpExchange.SendAsync(client, item.Request, body, jar, deadline.Token);
                using HttpResponseMessage message = exchange.Response;
                Dictionary<string, string> headers = HttpExchange.CollectHeaders(message);
                if (callback is null)
                {
                    await StreamResponseAsync(exchange, Head(exchange, headers, jar, message.Content.Headers.ContentLength ?? -1), responseStream, deadline.Token);
                    return;
                }

                byte[] content = await HttpExchange.ReadBodyAsync(message, deadline.Token);
                head = Head(exchange, headers, jar, contentLength: 0);
                response = new Response((int)message.StatusCode, message.ReasonPhrase, exchange.Url, headers, content, exchange.Elapsed, Environment.ProcessId);
            }
            catch (OperationCanceledException exception)
            {
                bool timedOut = deadline.TimedOut;
                await WriteErrorAsync(responseStream, timedOut ? WorkerErrorKind.Timeout : WorkerErrorKind.Canceled, deadline.Translate(exception));
                return;
            }
            catch (Exception exception)
            {
                await WriteErrorAsync(responseStream, WorkerErrorKind.Transport, exception);
                return;
            }
        }

        await RunCallbackAsync(callback, response, head, responseStream);
    }

    private static async Task RunCallbackAsync(MethodInfo callback, Response response, ByteString head, IServerStreamWriter<WorkerFrame> responseStream)
    {
        object? result;
        try
        {
            result = callback.Invoke(null, BindingFlags.DoNotWrapExceptions, binder: null, [response], culture: null);
        }
        catch (Exception exception)
        {
            await WriteErrorAsync(responseStream, WorkerErrorKind.Callback, exception);
            return;
        }

        using var serialized = new BodyBuffer();
        try
        {
            MessagePackSerializer.Serialize(callback.ReturnType, serialized, result, ContractSerializer.Options);
        }
        catch (Exception exception)
        {
            await WriteErrorAsync(responseStream, WorkerErrorKind.Serialization, exception);
            return;
        }

        // The head rides with the first chunk; a result is never empty (MessagePack writes at least one byte).
        foreach (ReadOnlyMemory<byte> segment in serialized.Segments)
        {
            for (int offset = 0; offset < segment.Length; offset += ChunkSize)
            {
                ReadOnlyMemory<byte> chunk = segment.Slice(offset, Math.Min(ChunkSize, segment.Length - offset));
                await responseStream.WriteAsync(new WorkerFrame { Head = head, Chunk = UnsafeByteOperations.UnsafeWrap(chunk) });
                head = ByteString.Empty;
            }
        }
    }

    private static async Task StreamResponseAsync(ExchangeResult exchange, ByteString head, IServerStreamWriter<WorkerFrame> responseStream, CancellationToken cancellationToken)
    {
        byte[] buffer = ArrayPool<byte>.Shared.Rent(ChunkSize);
        try
        {
            Stream stream = await exchange.Response.Content.ReadAsStreamAsync(cancellationToken);
            await using (stream)
            {
                while (true)
                {
                    int read = await stream.ReadAtLeastAsync(buffer.AsMemory(0, ChunkSize), ChunkSize, throwOnEndOfStream: false, cancellationToken);

                    // The head goes with the first chunk (even an empty one). The frame is
                    // serialized by the time WriteAsync completes: the buffer can be reused.
                    if (read > 0 || !head.IsEmpty)
                    {
                        await responseStream.WriteAsync(new WorkerFrame { Head = head, Chunk = UnsafeByteOperations.UnsafeWrap(buffer.AsMemory(0, read)) });
                        head = ByteString.Empty;
                    }

                    if (read < ChunkSize)
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

    private static ByteString Head(ExchangeResult exchange, Dictionary<string, string> headers, CookieJar jar, long contentLength)
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

    private static async Task<ReadOnlyMemory<byte>?> ReadBodyAsync(IAsyncStreamReader<ClientFrame> requestStream, long length, CancellationToken cancellationToken)
    {
        if (length == 0)
        {
            return null;
        }

        byte[] body = new byte[length];
        int offset = 0;
        while (offset < body.Length)
        {
            if (!await requestStream.MoveNext(cancellationToken) || requestStream.Current.KindCase != ClientFrame.KindOneofCase.Body)
            {
                throw new InvalidDataException($"The request body ended after {offset} of {length} bytes.");
            }

            ReadOnlySpan<byte> chunk = requestStream.Current.Body.Span;
            if (chunk.Length > body.Length - offset)
            {
                throw new InvalidDataException($"The request body is longer than the {length} bytes announced.");
            }

            chunk.CopyTo(body.AsSpan(offset));
            offset += chunk.Length;
        }

        return body;
    }

    private static Task WriteErrorAsync(IServerStreamWriter<WorkerFrame> responseStream, WorkerErrorKind kind, Exception exception) =>
        responseStream.WriteAsync(new WorkerFrame { Error = UnsafeByteOperations.UnsafeWrap(ContractSerializer.ToBytes(WorkerError.From(kind, exception))) });
}
