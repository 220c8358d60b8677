using Quartz;

namespace KrxSignal.Worker.Scheduling;

internal static class FireNow
{
    /// <summary>
    /// Runs the job once, now, as <c>IScheduler.TriggerJob</c> does, through a one-off trigger that Quartz names with a
    /// Guid. TriggerJob names its trigger from a cryptographic random number, and loading OpenSSL for that name alone
    /// costs a daemon about 5 MiB resident from its first pipeline run on.
    /// </summary>
    /// <param name="time">The Worker's clock, which Quartz reads too; a builder without it reads the machine's.</param>
    public static async Task FireNowAsync(this IScheduler scheduler, JobKey job, TimeProvider time, CancellationToken cancellationToken) =>
        await scheduler.ScheduleJob(TriggerBuilder.Create(time).ForJob(job).StartNow().Build(), new ScheduleJobOptions(), cancellationToken);
}
