using ProcessFutures.Infrastructure;

namespace ProcessFutures.Internal;

/// <summary>
/// When a worker should be replaced: after so many requests (with jitter, so workers started
/// together do not recycle together), or past a resident size; and when its replacement should
/// start, so that it is ready by then (<see cref="Assess"/>).
/// </summary>
internal sealed class RecyclePolicy(ProcessPoolOptions options)
{
    /// <summary>The least time ahead of a worker's limit that its replacement starts.</summary>
    private static readonly TimeSpan s_minLead = TimeSpan.FromMilliseconds(500);

    private long _lastStartTicks = s_minLead.Ticks;

    /// <summary>The task limit for one worker: <see cref="ProcessPoolOptions.MaxTasksPerWorker"/> plus up to 1/8 more, at random; 0 for none.</summary>
    public int TaskLimitForNewWorker()
    {
        int limit = options.MaxTasksPerWorker;
        return limit <= 0 ? 0 : limit + Random.Shared.Next(0, (limit / 8) + 1);
    }

    /// <summary>Records how long the last worker took from spawn to ready: a replacement starts that far ahead, and more.</summary>
    public void Started(TimeSpan took) => Volatile.Write(ref _lastStartTicks, took.Ticks);

    /// <summary>
    /// Why a worker that has served <paramref name="tasksDone"/> requests in
    /// <paramref name="servingFor"/> should retire now, if it should; and otherwise whether it is
    /// near it, so that its replacement should start: at the rate it serves, it would reach its task
    /// limit within four times the last start's duration (at least half a second), or it is past
    /// three quarters of its memory limit.
    /// </summary>
    public (string Reason, WorkerExitReason Kind)? Assess(int processId, int tasksDone, int taskLimit, TimeSpan servingFor, out WorkerExitReason? nearing)
    {
        nearing = null;
        if (taskLimit > 0)
        {
            if (tasksDone >= taskLimit)
            {
                return ($"it served {tasksDone} requests (MaxTasksPerWorker {options.MaxTasksPerWorker})", WorkerExitReason.RecycleTasks);
            }

            TimeSpan lead = TimeSpan.FromTicks(Math.Max(s_minLead.Ticks, 4 * Volatile.Read(ref _lastStartTicks)));
            if (servingFor.Ticks / tasksDone * (taskLimit - tasksDone) <= lead.Ticks)
            {
                nearing = WorkerExitReason.RecycleTasks;
            }
        }

        long memoryLimit = options.MaxWorkerMemoryBytes;
        if (memoryLimit > 0 && ProcessMemory.ResidentBytes(processId) is long resident)
        {
            if (resident > memoryLimit)
            {
                return ($"{resident} bytes resident, over MaxWorkerMemoryBytes {memoryLimit}", WorkerExitReason.RecycleMemory);
            }

            if (resident > memoryLimit / 4 * 3)
            {
                nearing ??= WorkerExitReason.RecycleMemory;
            }
        }

        if (!options.StartReplacementEarly)
        {
            nearing = null;
        }

        return null;
    }
}
