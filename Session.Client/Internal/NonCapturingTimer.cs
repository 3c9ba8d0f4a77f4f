namespace ProcessFutures.Internal;

/// <summary>A one-shot timer that does not capture the current ExecutionContext (so it keeps no caller's AsyncLocals alive), as grpc-dotnet's NonCapturingTimer.</summary>
internal static class NonCapturingTimer
{
    public static Timer Start(TimerCallback callback, object? state, TimeSpan dueTime)
    {
        bool restore = false;
        try
        {
            if (!ExecutionContext.IsFlowSuppressed())
            {
                ExecutionContext.SuppressFlow();
                restore = true;
            }

            return new Timer(callback, state, dueTime, Timeout.InfiniteTimeSpan);
        }
        finally
        {
            if (restore)
            {
                ExecutionContext.RestoreFlow();
            }
        }
    }
}
