using KrxSignal.Worker.Calendar;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Quartz;

namespace KrxSignal.Worker.Scheduling;

/// <summary>
/// With the in-memory store Quartz's scheduler thread sleeps until its next trigger is due (see
/// <see cref="SchedulingServiceCollectionExtensions"/>), on a monotonic timer: a machine suspended meanwhile (Linux
/// stops that timer while it sleeps), or a clock stepped forward, leaves it asleep past what came due by the wall clock.
/// Once a minute this compares the wall clock with the minute that passed; when it moved on further, the pipeline goes
/// back to its minute cadence, and the change wakes Quartz to fire what came due, or skip it by its misfire rule.
/// </summary>
internal sealed partial class ClockJumpWake(ISchedulerFactory schedulers, TimeProvider time, ILogger<ClockJumpWake> logger) : BackgroundService
{
    public static readonly TimeSpan Period = TimeSpan.FromMinutes(1);

    /// <summary>How far past the minute the wall clock may be before it counts as a jump: a loaded machine is late, not asleep.</summary>
    public static readonly TimeSpan Tolerance = TimeSpan.FromSeconds(30);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var before = time.GetUtcNow();
        while (!stoppingToken.IsCancellationRequested)
        {
            await Task.Delay(Period, time, stoppingToken);
            var now = time.GetUtcNow();
            await CheckAsync(before, now, stoppingToken);
            before = now;
        }
    }

    /// <summary>One look: a minute's wait that began at <paramref name="before"/> ended at <paramref name="now"/>.</summary>
    /// <returns>Whether the clock jumped and the pipeline was put back on its minute cadence.</returns>
    internal async Task<bool> CheckAsync(DateTimeOffset before, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (now - before <= Period + Tolerance)
        {
            return false;
        }

        Log.ClockJumped(logger, (now - before - Period).TotalSeconds);
        var scheduler = await schedulers.GetScheduler(cancellationToken);
        await scheduler.RescheduleJob(PipelineJob.EveryMinuteKey, PipelineJob.CreateTrigger(time, MarketTimeZone.Kst), cancellationToken);
        return true;
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Warning, Message = "The clock moved {Seconds:0} s further than a minute in a minute (the machine slept, or its clock was set forward); the pipeline is back on its minute cadence and the scheduler looks for what came due meanwhile")]
        public static partial void ClockJumped(ILogger logger, double seconds);
    }
}
