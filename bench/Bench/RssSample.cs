namespace Bench;

/// <summary>Resident memory at <see cref="Seconds"/> after sampling started: the client's, and each live worker's by pid.</summary>
internal sealed record RssSample(double Seconds, long ClientBytes, IReadOnlyDictionary<int, long> WorkerBytes);
