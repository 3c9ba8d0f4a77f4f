using MessagePack;

namespace Bench;

/// <summary>What <see cref="Callbacks.Sha256AndProcessId"/> sends back: the body's SHA-256 (lower-case hex) and the worker that hashed it.</summary>
[MessagePackObject]
public sealed record HashedBody([property: Key(0)] string Sha256, [property: Key(1)] int ProcessId);
