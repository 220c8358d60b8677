using KrxSignal.Worker.Health;
using KrxSignal.Worker.Notify.Delivery;
using KrxSignal.Worker.Pipeline;
using Quartz;

namespace KrxSignal.Worker.Scheduling;

/// <summary>
/// Everything downstream of polling (predict, signal, notify). Triggered after each poll, and by its own trigger: every
/// minute in the market windows and while work is pending, otherwise next when <see cref="PipelineWake"/> says (the next
/// poll, a delivery due at a known time, at the latest Scheduling:IdleWakeInterval). It then asks for a delivery run, so
/// what it queued goes out at once rather than at the delivery job's own trigger.
/// </summary>
[DisallowConcurrentExecution]
internal sealed class PipelineJob(PipelineRunner pipeline, JobRunRecorder recorder, HeartbeatWriter heartbeat, SchedulerLiveness liveness, PipelineWake wake, TimeProvider time) : IJob
{
    public const string JobName = "pipeline";
    public static readonly JobKey Key = new(JobName, "pipeline");
    public static readonly TriggerKey EveryMinuteKey = new("pipeline.every-minute", "pipeline");

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken)
    {
        var fireTime = context.ScheduledFireTimeUtc ?? context.FireTimeUtc;
        liveness.RunStarted();
        JobOutcome outcome;
        try
        {
            outcome = await recorder.RunAsync(JobName, fireTime, async ct => JobOutcome.From(await pipeline.RunDownstreamAsync(new StageContext(), ct)), cancellationToken);
        }
        finally
        {
            liveness.RunFinished();
        }

        heartbeat.RequestWrite();
        if (cancellationToken.IsCancellationRequested)
        {
            return;
        }

        var next = await wake.NextAsync(null, outcome.Status == JobRunStatus.Ok, cancellationToken);
        await wake.RescheduleAsync(context.Scheduler, EveryMinuteKey, Key, 0, next, cancellationToken);
        liveness.NextRunExpectedAt(next);
        if (await context.Scheduler.GetJobDetail(DeliveryJob.Key, cancellationToken) is not null)
        {
            // Only asks: the delivery run is a job of its own, so a hanging receiver never holds this one.
            await context.Scheduler.FireNowAsync(DeliveryJob.Key, time, cancellationToken);
        }
    }

    /// <summary>Every minute at second 0; a missed minute is skipped, not replayed.</summary>
    public static ITrigger CreateTrigger(TimeProvider time, TimeZoneInfo zone) => EveryMinuteTrigger.Create(EveryMinuteKey, Key, 0, time, zone);
}
