using KrxSignal.Worker.Calendar;
using KrxSignal.Worker.Health;

namespace KrxSignal.Worker.Scheduling;

/// <summary>The heartbeat's window, next poll, last job runs and calendar coverage.</summary>
internal sealed class SchedulingHealth(MarketScheduleProvider schedules, JobRunRecorder runs, TimeProvider time) : IHeartbeatContributor
{
    public async ValueTask ContributeAsync(HeartbeatDraft draft, CancellationToken cancellationToken)
    {
        draft.LastRuns = await runs.LastRunsAsync(cancellationToken);
        if (schedules.Current is not { } schedule)
        {
            return; // not started yet, or the calendar failed to load and the daemon is stopping
        }

        var now = time.GetUtcNow();
        draft.Window = schedule.Calendar.PhaseAt(now);
        draft.NextPoll = schedule.NextFireAfter(now)?.Time;
        var coverage = schedule.Calendar.CoverageAt(now);
        foreach (var warning in coverage.Warnings)
        {
            draft.Warn(warning);
        }

        if (coverage.CurrentYearMissing)
        {
            draft.Report(HealthStatus.Degraded, $"the market calendar does not cover {schedule.Calendar.DateAt(now).Year}");
        }
    }
}
