namespace KrxSignal.Worker.Replay;

/// <summary>Runs one replay step at a time, moving the <see cref="VirtualClock"/> only when the step waits on it.</summary>
internal static class ClockDriver
{
    /// <summary>How long the driver waits between two looks at a step (a wait on a virtual timer costs two looks of wall time).</summary>
    private static readonly TimeSpan StuckAfter = TimeSpan.FromMilliseconds(5);

    /// <summary>
    /// Lets a step run; when it is waiting on a virtual timer (a retry delay, a Retry-After, a recorded
    /// hang's attempt timeout) and no live request is out, moves the clock to that timer. "Waiting"
    /// means two quiet looks in a row: nothing queued on the thread pool and no pool thread busy but
    /// the one looking, so a step that is merely slow (a first call being compiled, a busy machine) is
    /// not hurried into a timeout. A step that never looks quiet is moved on after a bounded while.
    /// </summary>
    public static async Task<T> DriveAsync<T>(Task<T> step, VirtualClock clock, InFlightGate liveRequests)
    {
        const int quietLooksNeeded = 2;
        const int looksBeforeMovingAnyway = 80;
        var quietLooks = 0;
        var looks = 0;
        while (!step.IsCompleted)
        {
            if (await Task.WhenAny(step, Task.Delay(StuckAfter, TimeProvider.System)) == step)
            {
                break;
            }

            ReplayPhases.Looked();
            quietLooks = ThreadPoolIsIdle() ? quietLooks + 1 : 0;
            looks++;
            if (liveRequests.Idle && (quietLooks >= quietLooksNeeded || looks >= looksBeforeMovingAnyway))
            {
                clock.AdvanceToNextTimer();
                ReplayPhases.ClockJumped();
                quietLooks = 0;
                looks = 0;
            }
        }

        return await step;
    }

    private static bool ThreadPoolIsIdle()
    {
        ThreadPool.GetMaxThreads(out var maxWorkers, out _);
        ThreadPool.GetAvailableThreads(out var availableWorkers, out _);
        return ThreadPool.PendingWorkItemCount == 0 && maxWorkers - availableWorkers <= 1;
    }
}
