using MessagePack;

namespace ProcessFutures.Internal;

/// <summary>The first frame of a request to a worker: the request, its body's length, and the callback to run, if any.</summary>
internal sealed class WorkItem : IWireMessage<WorkItem>
{
    private const int FieldCount = 4;

    public required HttpRequestData Request { get; init; }

    public required long ContentLength { get; init; }

    public CallbackReference? Callback { get; init; }

    /// <summary>Names the call for the Cancel RPC; unique per worker.</summary>
    public required long CallId { get; init; }

    public void Write(ref MessagePackWriter writer)
    {
        writer.WriteArrayHeader(FieldCount);
        Request.Write(ref writer);
        writer.Write(ContentLength);
        if (Callback is null)
        {
            writer.WriteNil();
        }
        else
        {
            Callback.Write(ref writer);
        }

        writer.Write(CallId);
    }

    public static WorkItem Read(ref MessagePackReader reader)
    {
        int count = ContractSerializer.ReadFields(ref reader, FieldCount, "work item");
        HttpRequestData request = HttpRequestData.Read(ref reader);
        long contentLength = reader.ReadInt64();
        CallbackReference? callback = reader.TryReadNil() ? null : CallbackReference.Read(ref reader);
        long callId = reader.ReadInt64();
        ContractSerializer.SkipExtra(ref reader, count, FieldCount);
        if (contentLength < 0 || contentLength > Array.MaxLength)
        {
            throw new MessagePackSerializationException($"A request body length of {contentLength} is out of range.");
        }

        return new WorkItem { Request = request, ContentLength = contentLength, Callback = callback, CallId = callId };
    }
}
