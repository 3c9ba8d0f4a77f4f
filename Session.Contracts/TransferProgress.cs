namespace ProcessFutures;

/// <summary>
/// How far a request's transfer has come, reported through <see cref="RequestOptions.Progress"/>
/// (the shape of WinRT's <c>HttpProgress</c>). Counts only grow; the last report of a request
/// carries its final counts.
/// </summary>
/// <param name="BytesSent">Request body bytes sent so far.</param>
/// <param name="TotalBytesToSend">The request body's length, when known.</param>
/// <param name="BytesReceived">Response body bytes received so far (after decompression).</param>
/// <param name="TotalBytesToReceive">The response body's announced length, when the server sent one.</param>
public readonly record struct TransferProgress(long BytesSent, long? TotalBytesToSend, long BytesReceived, long? TotalBytesToReceive);
