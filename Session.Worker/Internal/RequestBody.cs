namespace ProcessFutures.Internal;

/// <summary>
/// A request's body, as whoever runs the request has it: none, bytes in memory, a file it can open
/// (the thread pool, a local worker), or a file streamed to it by the caller (a remote worker). Each
/// attempt and redirect hop asks for a new <see cref="HttpContent"/>; a body that cannot be sent
/// twice says so (<see cref="CanResend"/>), and the second ask fails.
/// </summary>
internal abstract class RequestBody
{
    public static readonly RequestBody None = new Empty();

    /// <summary>Whether the body can be sent again to follow a 307/308 redirect.</summary>
    public abstract bool CanResend { get; }

    /// <summary>Whether the body is a file's: a RetryPolicy does not send it twice (the file may change between attempts).</summary>
    public virtual bool IsFile => false;

    public static RequestBody FromBytes(ReadOnlyMemory<byte> bytes) => new Bytes(bytes);

    public static RequestBody FromFile(string path) => new FileBody(path);

    /// <summary>The content for one attempt (null: no body), counting what goes out in <paramref name="progress"/>.</summary>
    public abstract HttpContent? CreateContent(ProgressTracker? progress);

    private sealed class Empty : RequestBody
    {
        public override bool CanResend => true;

        public override HttpContent? CreateContent(ProgressTracker? progress) => null;
    }

    private sealed class Bytes(ReadOnlyMemory<byte> bytes) : RequestBody
    {
        public override bool CanResend => true;

        public override HttpContent CreateContent(ProgressTracker? progress) =>
            progress is null ? new ReadOnlyMemoryContent(bytes) : new UploadContent(bytes, progress);
    }

    private sealed class FileBody(string path) : RequestBody
    {
        // Opened anew for every hop: a 307/308 redirect sends it again.
        public override bool CanResend => true;

        public override bool IsFile => true;

        public override HttpContent CreateContent(ProgressTracker? progress) => new UploadContent(path, progress);
    }
}
