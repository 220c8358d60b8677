using KrxSignal.Worker.Health;
using KrxSignal.Worker.Pipeline;
using KrxSignal.Worker.Scheduling;
using Quartz;

namespace KrxSignal.Worker.Notify.Delivery;

/// <summary>
/// Sends what the notify stage queued, right after each pipeline run and on its own minute trigger (retries, and
/// messages whose backoff ends; outside the market windows the trigger sleeps until one is due, see
/// <see cref="PipelineWake"/>): a receiver that hangs delays only this job (bounded by Notify:RunTimeout), never the
/// pipeline's predictions and signals. Runs never overlap in one process; the claims
/// keep runs of other processes (poll-once, another node) from doubling a delivery.
/// </summary>
[DisallowConcurrentExecution]
internal sealed class DeliveryJob(DeliveryService delivery, JobRunRecorder recorder, HeartbeatWriter heartbeat, PipelineWake wake) : IJob
{
    public static readonly JobKey Key = new(DeliveryService.JobName, "pipeline");
    public static readonly TriggerKey TriggerKey = new("deliver.every-minute", "pipeline");

    /// <summary>The second of the minute the trigger fires at: between pipeline runs (second 0).</summary>
    public const int Second = 20;

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken)
    {
        var fireTime = context.ScheduledFireTimeUtc ?? context.FireTimeUtc;
        var outcome = await recorder.RunAsync(
            DeliveryService.JobName,
            fireTime,
            async ct => JobOutcome.From([new StageRun(DeliveryService.JobName, await delivery.RunAsync(deliverNow: false, ct))]),
            cancellationToken);
        heartbeat.RequestWrite();
        if (!cancellationToken.IsCancellationRequested)
        {
            // Outside the market windows the trigger sleeps until a delivery is due (this run may have set a retry's time).
            await wake.RescheduleAsync(context.Scheduler, TriggerKey, Key, Second, await wake.NextAsync(null, outcome.Status == Scheduling.JobRunStatus.Ok, cancellationToken), cancellationToken);
        }
    }

    /// <summary>Every minute at second 20, between pipeline runs (second 0), for retries whose backoff has ended; a missed minute is skipped.</summary>
    public static ITrigger CreateTrigger(TimeProvider time, TimeZoneInfo zone) => EveryMinuteTrigger.Create(TriggerKey, Key, Second, time, zone);
}
