namespace ProcessFutures.Internal;

/// <summary>A body read whole into memory (growing with what arrives, never from the announced length alone).</summary>
internal sealed class BufferSink(long? announced) : IBodySink
{
    private readonly BodyBuffer _buffer = new(announced ?? -1);

    public Memory<byte> GetMemory() => _buffer.GetMemory();

    public ValueTask AdvanceAsync(int count)
    {
        _buffer.Advance(count);
        return ValueTask.CompletedTask;
    }

    public ValueTask CompleteAsync() => ValueTask.CompletedTask;

    public byte[] ToArray() => _buffer.ToArray();

    public void Dispose() => _buffer.Dispose();
}
