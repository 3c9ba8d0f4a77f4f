namespace ProcessFutures.Internal;

/// <summary>Why a worker could not return a result.</summary>
internal enum WorkerErrorKind
{
    /// <summary>The HTTP exchange failed (HttpRequestException and what it wraps).</summary>
    Transport = 1,

    /// <summary>The request's timeout elapsed in the worker.</summary>
    Timeout = 2,

    /// <summary>The client asked the worker to cancel.</summary>
    Canceled = 3,

    /// <summary>The callback threw.</summary>
    Callback = 4,

    /// <summary>The worker could not take the request: it could not read it, or could not load the callback.</summary>
    Rejected = 5,

    /// <summary>The callback's result could not be serialized.</summary>
    Serialization = 6,
}
