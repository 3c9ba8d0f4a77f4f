namespace Bench;

/// <summary>One executor at one concurrency in the sweep (small body, warm, short window), with its ratio to raw HttpClient at the same concurrency.</summary>
internal sealed record SweepPoint(string Executor, string Setup, int Concurrency, LoadStats Load, CpuUsage Cpu, double RequestsPerSecondVsRaw);
