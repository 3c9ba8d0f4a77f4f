using System.ComponentModel;

namespace ProcessFutures.Infrastructure;

/// <summary>
/// Infrastructure (see <see cref="MessageStream"/>): the delay between attempts to start or reach
/// a worker: from 250 ms, doubling, up to 10 s, each wait within ±20% so that workers failing
/// together do not retry together. The one back-off of every executor.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public sealed class Backoff
{
    /// <summary>The first delay.</summary>
    public static readonly TimeSpan First = TimeSpan.FromMilliseconds(250);

    /// <summary>The longest delay.</summary>
    public static readonly TimeSpan Max = TimeSpan.FromSeconds(10);

    /// <summary>The delay the next <see cref="WaitAsync"/> waits (before jitter).</summary>
    public TimeSpan Current { get; private set; } = First;

    /// <summary>Back to the first delay, after a success.</summary>
    public void Reset() => Current = First;

    /// <summary>Waits about <see cref="Current"/>, then doubles it; returns early, without throwing, when cancelled.</summary>
    /// <param name="cancellationToken">Ends the wait.</param>
    /// <returns>A task that completes after the wait.</returns>
    public async Task WaitAsync(CancellationToken cancellationToken)
    {
        TimeSpan wait = Current * (0.8 + (0.4 * Random.Shared.NextDouble()));
        Current = Current * 2 < Max ? Current * 2 : Max;
        await DelayAsync(wait, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Waits <paramref name="delay"/>; returns early, without throwing, when cancelled.</summary>
    /// <param name="delay">How long.</param>
    /// <param name="cancellationToken">Ends the wait.</param>
    /// <returns>A task that completes after the wait.</returns>
    public static async Task DelayAsync(TimeSpan delay, CancellationToken cancellationToken)
    {
        try
        {
            await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
    }
}
