namespace ProcessFutures.Internal;

/// <summary>
/// A worker ended a slot's stream. Before any frame of an answer, the worker never read the
/// request (a draining remote worker ends its idle streams): the request goes to another worker.
/// In the middle of an answer, it is a broken worker.
/// </summary>
internal sealed class StreamEndedException(int processId, bool beforeAnswer)
    : IOException(beforeAnswer ? $"Worker {processId} ended its stream before answering (it is stopping)." : $"Worker {processId} ended its stream in the middle of an answer.")
{
    public bool BeforeAnswer { get; } = beforeAnswer;
}
