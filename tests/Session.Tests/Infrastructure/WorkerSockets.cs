using System.Net.Sockets;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using ProcessFutures.Infrastructure;
using ProcessFutures.Internal;
using ProcessFutures.Protocol;

namespace Session.Tests.Infrastructure;

/// <summary>Straight to a worker's Unix socket, for tests that talk to a worker the way an intruder or a broken client would.</summary>
internal static class WorkerSockets
{
    /// <summary>The first frame of a stream: the protocol's hello, with <paramref name="token"/>.</summary>
    public static ClientFrame Hello(string? token = null, ProtocolVersion protocol = ProtocolVersion.Current) =>
        new() { Hello = new Hello { Protocol = protocol, Token = token ?? string.Empty } };

    /// <summary>A gRPC channel (a worker on <c>WorkerTransport.Grpc</c>).</summary>
    public static GrpcChannel Channel(string socketPath) => GrpcChannel.ForAddress("http://worker", new GrpcChannelOptions
    {
        HttpHandler = new SocketsHttpHandler
        {
            ConnectCallback = async (_, cancellationToken) =>
            {
                var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), cancellationToken);
                return new NetworkStream(socket, ownsSocket: true);
            },
        },
        MaxSendMessageSize = null,
    });

    /// <summary>
    /// One exchange on the socket transport: <paramref name="frames"/> (the caller's hello among them,
    /// or not), the end mark; then every frame of the answers up to the worker's end mark. Throws
    /// <see cref="IOException"/> when the worker closes the connection without its end mark (it
    /// refused the connection, or its framing).
    /// </summary>
    public static Task<WorkerFrame[]> FramedCallAsync(string socketPath, params ClientFrame[] frames) =>
        RawFramedCallAsync(socketPath, [.. frames.Select(frame => frame.ToByteArray())]);

    /// <summary>As <see cref="FramedCallAsync"/>, with messages given as bytes (garbage included).</summary>
    public static async Task<WorkerFrame[]> RawFramedCallAsync(string socketPath, params byte[][] messages)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath)).Within();
        await using var stream = new SocketMessageStream(socket, acceptsHello: false);
        foreach (byte[] message in messages)
        {
            byte[] frame = new byte[MessageStream.HeaderRoom + message.Length];
            message.CopyTo(frame, MessageStream.HeaderRoom);
            await stream.WriteAsync(frame, CancellationToken.None).Within();
        }

        await stream.CompleteAsync().Within();
        var replies = new List<WorkerFrame>();
        while (await stream.ReadAsync(CancellationToken.None).AsTask().Within() is { } reply)
        {
            replies.Add(WorkerFrame.Parser.ParseFrom(reply.Span));
        }

        return [.. replies];
    }

    /// <summary>One gRPC call of the Serve method: <paramref name="frames"/> as bytes, then every frame of the answers.</summary>
    public static async Task<WorkerFrame[]> GrpcCallAsync(GrpcChannel channel, Metadata headers, params byte[][] frames)
    {
        using AsyncDuplexStreamingCall<Frame, Frame> call = channel.CreateCallInvoker().AsyncDuplexStreamingCall(GrpcProtocol.Serve, host: null, new CallOptions(headers));
        foreach (byte[] frame in frames)
        {
            await call.RequestStream.WriteAsync(new Frame(frame)).Within();
        }

        await call.RequestStream.CompleteAsync().Within();
        var replies = new List<WorkerFrame>();
        while (await call.ResponseStream.MoveNext(CancellationToken.None).Within())
        {
            replies.Add(WorkerFrame.Parser.ParseFrom(call.ResponseStream.Current.Bytes.Span));
        }

        return [.. replies];
    }

    /// <summary>
    /// One gRPC call of the Serve method that the worker is to refuse: <paramref name="frames"/>
    /// are written without waiting for each write (the worker may end the call before it has read
    /// them all, and a write then waits on flow control until the call is disposed); the worker's
    /// answer is the call's status.
    /// </summary>
    public static async Task<RpcException?> GrpcRefusalAsync(GrpcChannel channel, Metadata headers, params byte[][] frames)
    {
        using AsyncDuplexStreamingCall<Frame, Frame> call = channel.CreateCallInvoker().AsyncDuplexStreamingCall(GrpcProtocol.Serve, host: null, new CallOptions(headers));
        Task writes = WriteAllAsync(call.RequestStream, frames);
        try
        {
            while (await call.ResponseStream.MoveNext(CancellationToken.None).Within())
            {
            }

            await writes.Within();
            return null;
        }
        catch (RpcException refused)
        {
            return refused;
        }
        finally
        {
            // The call's disposal, as this method returns, ends a write still waiting: its failure is not the answer.
            _ = writes.ContinueWith(static write => write.Exception, TaskScheduler.Default);
        }
    }

    private static async Task WriteAllAsync(IClientStreamWriter<Frame> stream, byte[][] frames)
    {
        foreach (byte[] frame in frames)
        {
            await stream.WriteAsync(new Frame(frame)).ConfigureAwait(false);
        }

        await stream.CompleteAsync().ConfigureAwait(false);
    }
}
