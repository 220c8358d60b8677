using KrxSignal.Worker.Calendar;
using Microsoft.Extensions.Logging;
using Quartz;

namespace KrxSignal.Worker.Scheduling;

/// <summary>
/// Re-reads holidays.json and swaps the market-window triggers and calendars for the new ones, so next year's
/// calendar needs no restart. A broken edit keeps the calendar in force and logs the file, line and problem.
/// </summary>
internal sealed partial class MarketCalendarReloader(
    MarketCalendarSource calendars,
    MarketScheduleProvider schedules,
    TimeProvider time,
    ILogger<MarketCalendarReloader> logger) : IDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private IScheduler? _scheduler;

    /// <summary>Raised after each attempt: true when the new calendar is in force.</summary>
    public event Action<bool>? Reloaded;

    /// <summary>The scheduler whose triggers a reload replaces; until then a reload only rebuilds the schedule.</summary>
    public void Attach(IScheduler scheduler) => Volatile.Write(ref _scheduler, scheduler);

    /// <param name="why">For the log: "holidays.json changed", "SIGHUP".</param>
    public async Task<bool> ReloadAsync(string why, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        bool ok;
        try
        {
            ok = await ReloadLockedAsync(why, cancellationToken);
        }
        finally
        {
            _gate.Release();
        }

        Reloaded?.Invoke(ok);
        return ok;
    }

    /// <summary>
    /// Registers the schedule's calendars and triggers, replacing the market group's earlier ones. Each trigger is
    /// replaced in place and only the ones the new schedule lacks are removed, so on a shared job store a second node
    /// (or a restart) neither throws ObjectAlreadyExistsException nor leaves a moment with no triggers at all.
    /// </summary>
    public static async Task RegisterAsync(IScheduler scheduler, MarketSchedule schedule, CancellationToken cancellationToken)
    {
        var old = await scheduler.GetTriggerKeys(GroupMatcher<TriggerKey>.GroupEquals(MarketSchedule.TriggerGroup), cancellationToken);
        foreach (var (name, quartzCalendar) in schedule.Calendars)
        {
            await scheduler.AddCalendar(name, quartzCalendar, AddCalendarOptions.ReplacingAndUpdatingTriggers, cancellationToken);
        }

        foreach (var trigger in schedule.Triggers)
        {
            await scheduler.ScheduleJob(trigger.Trigger, ScheduleJobOptions.Replacing, cancellationToken);
        }

        var current = schedule.Triggers.Select(t => t.Trigger.Key).ToHashSet();
        var stale = old.Where(key => !current.Contains(key)).ToList();
        if (stale.Count > 0)
        {
            await scheduler.UnscheduleJobs(stale, cancellationToken);
        }
    }

    public void Dispose() => _gate.Dispose();

    private async Task<bool> ReloadLockedAsync(string why, CancellationToken cancellationToken)
    {
        MarketCalendar calendar;
        try
        {
            calendar = await calendars.ReloadAsync(cancellationToken);
        }
        catch (CalendarConfigurationException e)
        {
            Log.Broken(logger, why, e.Message);
            return false;
        }
        catch (IOException e)
        {
            // Caught mid-write by an editor: the next change event reads it again.
            Log.Broken(logger, why, $"{calendars.FilePath}: {e.Message}");
            return false;
        }

        var schedule = schedules.Rebuild(calendar);
        if (Volatile.Read(ref _scheduler) is { } scheduler)
        {
            await RegisterAsync(scheduler, schedule, cancellationToken);
        }

        var now = time.GetUtcNow();
        foreach (var warning in calendar.CoverageAt(now).Warnings)
        {
            Log.CoverageWarning(logger, warning);
        }

        var next = schedule.NextFireAfter(now) is { } n ? $"{calendar.ToKst(n.Time):yyyy-MM-dd HH:mm} KST ({n.Window})" : "none";
        var years = string.Join(", ", calendar.Years.Keys);
        Log.Reloaded(logger, why, calendars.FilePath, years, schedule.Triggers.Count, next);
        return true;
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Information, Message = "Market calendar reloaded ({Why}) from {Path}: covers {Years}; {Triggers} market-window triggers; next poll {Next}")]
        public static partial void Reloaded(ILogger logger, string why, string path, string years, int triggers, string next);

        [LoggerMessage(Level = LogLevel.Error, Message = "Market calendar not reloaded ({Why}): {Problem}. The calendar loaded before stays in force; fix the file and save it again")]
        public static partial void Broken(ILogger logger, string why, string problem);

        [LoggerMessage(Level = LogLevel.Warning, Message = "Market calendar: {Warning}")]
        public static partial void CoverageWarning(ILogger logger, string warning);
    }
}
