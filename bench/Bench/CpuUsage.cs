namespace Bench;

/// <summary>
/// CPU used over a window of <see cref="WallSeconds"/> while requests completed at
/// <see cref="RequestsPerSecond"/>: by the client (this process, and the server too when it runs
/// inside it), by all workers together, and by the server. Null: no such process.
/// </summary>
internal sealed record CpuUsage(double WallSeconds, double RequestsPerSecond, double ClientSeconds, double? WorkerSeconds, double? ServerSeconds)
{
    /// <summary>Cores the client kept busy on average (1.0 = one core all the time).</summary>
    public double ClientCores => ClientSeconds / WallSeconds;

    public double? WorkerCores => WorkerSeconds / WallSeconds;

    public double? ServerCores => ServerSeconds / WallSeconds;

    /// <summary>Microseconds of client CPU per request.</summary>
    public double ClientMicrosecondsPerRequest => PerRequest(ClientSeconds);

    public double? WorkerMicrosecondsPerRequest => WorkerSeconds is { } seconds ? PerRequest(seconds) : null;

    public double? ServerMicrosecondsPerRequest => ServerSeconds is { } seconds ? PerRequest(seconds) : null;

    /// <summary>All processes together, per request.</summary>
    public double TotalMicrosecondsPerRequest => PerRequest(ClientSeconds + (WorkerSeconds ?? 0) + (ServerSeconds ?? 0));

    /// <summary>NaN when no request completed.</summary>
    private double PerRequest(double seconds) => RequestsPerSecond > 0 ? seconds / WallSeconds / RequestsPerSecond * 1e6 : double.NaN;
}
