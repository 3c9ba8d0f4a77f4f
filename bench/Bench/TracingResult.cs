namespace Bench;

/// <summary>
/// One executor in the tracing scenario: the same executor measured without an ActivityListener
/// and then with one, each with its ratios to raw HttpClient in the same state, and the spans one
/// request made in this process with the listener on, by source.
/// </summary>
internal sealed record TracingResult(
    string Executor,
    string Setup,
    ThroughputResult WithoutListener,
    ThroughputResult WithListener,
    IReadOnlyDictionary<string, double> SpansPerRequest)
{
    /// <summary>Requests/s with the listener ÷ without: what listening costs this executor (1.00: nothing).</summary>
    public double ListenerRequestsPerSecondRatio => WithListener.Load.RequestsPerSecond / WithoutListener.Load.RequestsPerSecond;

    /// <summary>Client CPU per request added by the listener, µs.</summary>
    public double ListenerAddedClientMicroseconds => WithListener.Cpu.ClientMicrosecondsPerRequest - WithoutListener.Cpu.ClientMicrosecondsPerRequest;

    /// <summary>CPU per request of every process (client, workers, server) added by the listener, µs.</summary>
    public double ListenerAddedTotalMicroseconds => WithListener.Cpu.TotalMicrosecondsPerRequest - WithoutListener.Cpu.TotalMicrosecondsPerRequest;
}
