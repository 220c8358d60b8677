using Quartz;

namespace KrxSignal.Worker.Scheduling;

/// <summary>A trigger that fires every minute at one second, in the market's zone; a missed minute is skipped, not replayed.</summary>
internal static class EveryMinuteTrigger
{
    public static ITrigger Create(TriggerKey key, JobKey job, int second, TimeProvider time, TimeZoneInfo zone) =>
        TriggerBuilder.Create(time)
            .WithIdentity(key)
            .ForJob(job)
            .StartNow()
            .WithSchedule(CronScheduleBuilder.Create($"{second} * * * * ?").InTimeZone(zone).WithMisfireInstruction(CronTriggerMisfireInstruction.DoNothing))
            .Build();
}
