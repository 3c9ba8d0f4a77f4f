using ProcessFutures.Infrastructure;

namespace ProcessFutures.Internal;

/// <summary>When a worker should be replaced: after so many requests (with jitter, so workers started together do not recycle together), or past a resident size.</summary>
internal sealed class RecyclePolicy(ProcessPoolOptions options)
{
    /// <summary>The task limit for one worker: <see cref="ProcessPoolOptions.MaxTasksPerWorker"/> plus up to 1/8 more, at random; 0 for none.</summary>
    public int TaskLimitForNewWorker()
    {
        int limit = options.MaxTasksPerWorker;
        return limit <= 0 ? 0 : limit + Random.Shared.Next(0, (limit / 8) + 1);
    }

    /// <summary>Why a worker that has served <paramref name="tasksDone"/> requests should retire now, or null.</summary>
    public (string Reason, WorkerExitReason Kind)? ReasonToRetire(int processId, int tasksDone, int taskLimit)
    {
        if (taskLimit > 0 && tasksDone >= taskLimit)
        {
            return ($"it served {tasksDone} requests (MaxTasksPerWorker {options.MaxTasksPerWorker})", WorkerExitReason.RecycleTasks);
        }

        long memoryLimit = options.MaxWorkerMemoryBytes;
        if (memoryLimit > 0 && ProcessMemory.ResidentBytes(processId) is long resident && resident > memoryLimit)
        {
            return ($"{resident} bytes resident, over MaxWorkerMemoryBytes {memoryLimit}", WorkerExitReason.RecycleMemory);
        }

        return null;
    }
}
