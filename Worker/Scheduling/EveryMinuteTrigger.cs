using Quartz;

namespace KrxSignal.Worker.Scheduling;

/// <summary>A trigger that fires every minute at one second, in the market's zone; a missed minute is skipped, not replayed.</summary>
internal static class EveryMinuteTrigger
{
    /// <param name="startAt">The first fire is the first minute's <paramref name="second"/> at or after this; now when null.</param>
    public static ITrigger Create(TriggerKey key, JobKey job, int second, TimeProvider time, TimeZoneInfo zone, DateTimeOffset? startAt = null)
    {
        var builder = TriggerBuilder.Create(time).WithIdentity(key).ForJob(job);
        builder = startAt is { } at ? builder.StartAt(at) : builder.StartNow();
        return builder
            .WithSchedule(CronScheduleBuilder.Create($"{second} * * * * ?").InTimeZone(zone).WithMisfireInstruction(CronTriggerMisfireInstruction.DoNothing))
            .Build();
    }
}
