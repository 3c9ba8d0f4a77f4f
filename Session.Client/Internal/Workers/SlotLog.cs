using Microsoft.Extensions.Logging;

namespace ProcessFutures.Internal;

/// <summary>Events of an executor's slots, whichever executor. Event ids (from 400) are never reused.</summary>
internal static partial class SlotLog
{
    [LoggerMessage(400, LogLevel.Warning, "A streamed response from {Url} was collected without being disposed; its slot is free again. Dispose streamed responses (RequestOptions.Stream) when done with them, as HttpResponseMessage.")]
    public static partial void StreamCollected(ILogger logger, string url);
}
