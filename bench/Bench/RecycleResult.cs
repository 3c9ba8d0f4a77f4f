namespace Bench;

/// <summary>
/// One load of the recycling scenario: the same pool with <c>MaxTasksPerWorker</c> and without,
/// in the same run, and the ratio of their requests/s.
/// </summary>
internal sealed record RecycleResult(
    string Scenario,
    string PathAndQuery,
    int BodyBytes,
    int Concurrency,
    bool HashedInWorker,
    RecyclePoolRun Recycling,
    RecyclePoolRun NotRecycling)
{
    /// <summary>Requests/s recycling ÷ not recycling (1.00: recycling costs nothing).</summary>
    public double RequestsPerSecondRatio => Recycling.RequestsPerSecond / NotRecycling.RequestsPerSecond;
}
