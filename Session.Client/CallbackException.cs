namespace ProcessFutures;

/// <summary>
/// A callback threw, in a worker process, an exception of a type that is not re-created in the
/// client (common BCL exceptions are re-created as themselves). Its <see cref="Exception.Message"/>
/// is the original message; <see cref="OriginalTypeName"/> names the original type; the original
/// stack trace is kept in <see cref="Exception.StackTrace"/> and in <see cref="ToString"/>.
/// </summary>
public sealed class CallbackException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">The original exception's message.</param>
    /// <param name="originalTypeName">The original exception's full type name.</param>
    /// <param name="processId">The worker process it was thrown in.</param>
    public CallbackException(string message, string originalTypeName, int processId)
        : base(message)
    {
        OriginalTypeName = originalTypeName;
        ProcessId = processId;
    }

    /// <summary>The full name of the type of the exception the callback threw.</summary>
    public string OriginalTypeName { get; }

    /// <summary>The worker process the callback ran in.</summary>
    public int ProcessId { get; }

    /// <inheritdoc/>
    public override string ToString() => $"{OriginalTypeName} (thrown by a callback in worker process {ProcessId}, re-raised as {GetType().FullName}): {base.ToString()}";
}
