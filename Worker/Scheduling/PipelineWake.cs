using KrxSignal.Worker.Calendar;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Quartz;

namespace KrxSignal.Worker.Scheduling;

/// <summary>
/// When the pipeline (and delivery) job next needs to run. In a market window, or with work pending, every minute as
/// always; otherwise not before the next poll, the next known due instant (a retry, a lease's end, a message's expiry)
/// or <see cref="IdleWakeOptions.IdleWakeInterval"/>, whichever comes first. The decision lives in the job's trigger,
/// rescheduled through the scheduler: with a persistent job store every node sees it, and nothing is held in memory.
/// </summary>
internal sealed partial class PipelineWake(
    PendingWorkProbe probe, MarketScheduleProvider schedules, IOptions<IdleWakeOptions> options, TimeProvider time, ILogger<PipelineWake> logger)
{
    private static readonly TimeSpan Minute = TimeSpan.FromMinutes(1);

    /// <summary>The next whole minute (second 0) the pipeline should run at, from the current schedule and the database.</summary>
    /// <param name="settled">The run just ended ok; a failed or partial run is tried again the next minute, as it always was.</param>
    public async Task<DateTimeOffset> NextAsync(MarketSchedule? schedule, bool settled, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        schedule ??= schedules.Current;
        if (!settled)
        {
            return Decide(now, inWindow: true, null, null, options.Value.IdleWakeInterval);
        }

        PendingWork? work;
        try
        {
            work = await probe.ReadAsync(now, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // Not knowing what is pending is no reason to sleep: keep the minute cadence until the database answers.
            Log.ProbeFailed(logger, e);
            work = null;
        }

        var inWindow = schedule is null || schedule.Calendar.PhaseAt(now) != MarketWindows.Closed;
        return Decide(now, inWindow, schedule?.NextFireAfter(now)?.Time, work, options.Value.IdleWakeInterval);
    }

    /// <param name="inWindow">Inside a market window (or the schedule is not known yet).</param>
    /// <param name="work">What is pending; null when it could not be read.</param>
    public static DateTimeOffset Decide(DateTimeOffset now, bool inWindow, DateTimeOffset? nextPoll, PendingWork? work, TimeSpan idleWakeInterval)
    {
        var nextMinute = FloorToMinute(now) + Minute;
        if (inWindow || work is null || work.DueNow)
        {
            return nextMinute;
        }

        var wake = now + idleWakeInterval;
        if (nextPoll < wake)
        {
            wake = nextPoll.Value;
        }

        if (work.NextDueAt < wake)
        {
            wake = work.NextDueAt.Value;
        }

        var minute = FloorToMinute(wake);
        wake = minute == wake ? wake : minute + Minute;
        return wake < nextMinute ? nextMinute : wake;
    }

    /// <summary>
    /// Moves <paramref name="key"/> (an every-minute trigger at <paramref name="second"/>) so it next fires at
    /// <paramref name="wake"/> plus that second, then every minute again; left alone when it would fire then anyway.
    /// </summary>
    public async Task RescheduleAsync(IScheduler scheduler, TriggerKey key, JobKey job, int second, DateTimeOffset wake, CancellationToken cancellationToken)
    {
        var fireAt = wake.AddSeconds(second);
        if (await scheduler.GetTrigger(key, cancellationToken) is not { } current || current.NextFireTimeUtc == fireAt)
        {
            return;
        }

        await scheduler.RescheduleJob(key, EveryMinuteTrigger.Create(key, job, second, time, MarketTimeZone.Kst, fireAt), cancellationToken);
    }

    private static DateTimeOffset FloorToMinute(DateTimeOffset instant) =>
        new(instant.UtcTicks - instant.UtcTicks % TimeSpan.TicksPerMinute, TimeSpan.Zero);

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Debug, Message = "Pending work could not be read; the pipeline keeps its minute cadence")]
        public static partial void ProbeFailed(ILogger logger, Exception exception);
    }
}
