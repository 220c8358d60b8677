using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Quartz;

namespace KrxSignal.Worker.Scheduling;

/// <summary>
/// Loads the calendar when the daemon starts (a malformed file stops it with exit code 78), logs
/// coverage warnings, and registers exactly the calendars and triggers of <see cref="MarketSchedule"/>.
/// Runs before the Quartz hosted service starts the scheduler.
/// </summary>
internal sealed partial class MarketScheduleRegistrar(
    ISchedulerFactory schedulers,
    MarketScheduleProvider provider,
    SchedulerLiveness liveness,
    MarketCalendarReloader reloader,
    TimeProvider time,
    ILogger<MarketScheduleRegistrar> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var schedule = await provider.BuildAsync(cancellationToken);
        var calendar = schedule.Calendar;
        var now = time.GetUtcNow();
        foreach (var warning in calendar.CoverageAt(now).Warnings)
        {
            Log.CoverageWarning(logger, warning);
        }

        var scheduler = await schedulers.GetScheduler(cancellationToken);
        await MarketCalendarReloader.RegisterAsync(scheduler, schedule, cancellationToken);
        reloader.Attach(scheduler);

        await scheduler.ScheduleJob(PipelineJob.CreateTrigger(time, calendar.TimeZone), ScheduleJobOptions.Replacing, cancellationToken);
        liveness.Attach(scheduler);

        var next = schedule.NextFireAfter(now);
        var years = string.Join(", ", calendar.Years.Keys);
        var phase = calendar.PhaseAt(now);
        var nextText = next is { } n ? $"{calendar.ToKst(n.Time):yyyy-MM-dd HH:mm} KST ({n.Window})" : "none";
        Log.Scheduled(logger, schedule.Triggers.Count, years, phase, nextText);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Warning, Message = "Market calendar: {Warning}")]
        public static partial void CoverageWarning(ILogger logger, string warning);

        [LoggerMessage(Level = LogLevel.Information, Message = "Scheduled {Triggers} market-window triggers from the calendar for {Years}; now {Phase}, next poll {Next}")]
        public static partial void Scheduled(ILogger logger, int triggers, string years, string phase, string next);
    }
}
