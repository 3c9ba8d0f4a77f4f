namespace Bench;

/// <summary>One target of the issues, what this run measured for it, and whether it is met (null: not measured in this run).</summary>
internal sealed record TargetCheck(string Target, string Measured, bool? Met);
