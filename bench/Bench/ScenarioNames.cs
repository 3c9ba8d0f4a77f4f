namespace Bench;

/// <summary>The names <c>--only</c> takes, in the order the scenarios run.</summary>
internal static class ScenarioNames
{
    public const string Throughput = "throughput";
    public const string Cold = "cold";
    public const string Sweep = "sweep";
    public const string PoolStart = "pool-start";
    public const string Memory = "memory";
    public const string BigBody = "big-body";
    public const string RequestsFutures = "requests-futures";
    public const string Remote = "remote";
    public const string Tracing = "tracing";
    public const string WorkerStart = "worker-start";
    public const string Recycle = "recycle";

    public const string All = $"{Throughput}, {Cold}, {Sweep}, {PoolStart}, {Memory}, {BigBody}, {RequestsFutures}, {Remote}, {Tracing}, {WorkerStart}, {Recycle}";
}
