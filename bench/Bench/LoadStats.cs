namespace Bench;

/// <summary>
/// What a closed-loop run measured. Requests, bytes and latencies count the requests that
/// completed inside the measurement window; <see cref="Errors"/> counts failures over the whole
/// run, warm-up included. MB is 10^6 bytes. <see cref="FirstResponseMilliseconds"/> is from the
/// start of the run (warm-up included) to the first successful completion; <see cref="Buckets"/>
/// (when asked for) count completions in consecutive <see cref="BucketSeconds"/> from the start.
/// </summary>
internal sealed record LoadStats(
    int Concurrency,
    double MeasuredSeconds,
    long Requests,
    long Errors,
    long BodyBytes,
    double RequestsPerSecond,
    double MegabytesPerSecond,
    double P50Microseconds,
    double P99Microseconds,
    IReadOnlyDictionary<string, long> ErrorCounts,
    IReadOnlyDictionary<string, string> FirstErrorMessages,
    double FirstResponseMilliseconds,
    double? BucketSeconds,
    IReadOnlyList<long>? Buckets);
