namespace Bench;

/// <summary>CPU seconds a process has used so far, in user mode and in the kernel.</summary>
internal readonly record struct CpuTimes(double UserSeconds, double SystemSeconds)
{
    public double TotalSeconds => UserSeconds + SystemSeconds;
}
