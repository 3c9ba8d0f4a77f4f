namespace Callbacks;

/// <summary>A response without its body.</summary>
/// <param name="StatusCode">The HTTP status code.</param>
/// <param name="ContentType">The Content-Type header, if any.</param>
/// <param name="Length">The body's length in bytes.</param>
/// <param name="Host">The host name of the worker that ran the callback: in Kubernetes, the pod's name.</param>
public sealed record Summary(int StatusCode, string? ContentType, long Length, string Host);
