using System.ComponentModel;

namespace ProcessFutures.Infrastructure;

/// <summary>
/// Infrastructure (see <see cref="MessageStream"/>): a transport's failure, in terms every transport
/// shares, so that the code serving workers knows no transport.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public sealed class WorkerTransportException : IOException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="failure">What failed.</param>
    /// <param name="message">What happened, in the transport's words.</param>
    /// <param name="innerException">The transport's own exception.</param>
    public WorkerTransportException(TransportFailure failure, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        Failure = failure;
    }

    /// <summary>What failed.</summary>
    public TransportFailure Failure { get; }
}

/// <summary>Infrastructure (see <see cref="MessageStream"/>): the failures every transport can have.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public enum TransportFailure
{
    /// <summary>The connection was refused: nothing reached the worker.</summary>
    Refused,

    /// <summary>The worker refused this client's token or certificate.</summary>
    Unauthenticated,

    /// <summary>A message was larger than the other side accepts.</summary>
    TooLarge,

    /// <summary>The connection broke: the worker died, or the network between is gone.</summary>
    Broken,
}
