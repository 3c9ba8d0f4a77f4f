namespace Bench;

/// <summary>requests-futures' ProcessPoolExecutor under the same small-body load, or why it did not run.</summary>
internal sealed record RequestsFuturesResult(
    bool Ran,
    string? SkipReason,
    string? Python,
    string Setup,
    int Concurrency,
    long Requests,
    long Errors,
    string? FirstError,
    double RequestsPerSecond,
    double P50Microseconds)
{
    public static RequestsFuturesResult Skipped(string reason, string setup) =>
        new(false, reason, null, setup, 0, 0, 0, null, double.NaN, double.NaN);

    /// <summary>It was there but did not run to the end: counted as a failure.</summary>
    public static RequestsFuturesResult Failed(string error, string python, string setup) =>
        new(false, null, python, setup, 0, 0, 1, error, double.NaN, double.NaN);
}
