namespace Session.Tests.Infrastructure;

/// <summary>Every wait in a test has a limit: a hung task fails the test instead of hanging the run.</summary>
internal static class Waits
{
    public const double DefaultSeconds = 30;

    public static Task<T> Within<T>(this Task<T> task, double seconds = DefaultSeconds) => task.WaitAsync(TimeSpan.FromSeconds(seconds));

    public static Task Within(this Task task, double seconds = DefaultSeconds) => task.WaitAsync(TimeSpan.FromSeconds(seconds));

    public static Task Within(this ValueTask task, double seconds = DefaultSeconds) => task.AsTask().WaitAsync(TimeSpan.FromSeconds(seconds));

    /// <summary>Waits for a condition to hold, checking every 20 ms, failing after <paramref name="seconds"/>.</summary>
    public static async Task UntilAsync(Func<bool> condition, string what, double seconds = 10)
    {
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(seconds));
        while (!condition())
        {
            try
            {
                await Task.Delay(20, limit.Token);
            }
            catch (OperationCanceledException)
            {
                Assert.Fail($"Waited {seconds} s for: {what}");
            }
        }
    }
}
