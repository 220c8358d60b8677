using KrxSignal.Worker.Health;
using KrxSignal.Worker.Pipeline;
using Quartz;

namespace KrxSignal.Worker.Scheduling;

/// <summary>
/// Everything downstream of polling (predict, signal, notify). Triggered after each poll, and every
/// minute around the clock so a backlog and the outbox's retries drain outside market hours too.
/// </summary>
[DisallowConcurrentExecution]
internal sealed class PipelineJob(PipelineRunner pipeline, JobRunRecorder recorder, HeartbeatWriter heartbeat, SchedulerLiveness liveness) : IJob
{
    public const string JobName = "pipeline";
    public static readonly JobKey Key = new(JobName, "pipeline");
    public static readonly TriggerKey EveryMinuteKey = new("pipeline.every-minute", "pipeline");

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken)
    {
        var fireTime = context.ScheduledFireTimeUtc ?? context.FireTimeUtc;
        liveness.RunStarted();
        try
        {
            await recorder.RunAsync(JobName, fireTime, async ct => JobOutcome.From(await pipeline.RunDownstreamAsync(new StageContext(), ct)), cancellationToken);
        }
        finally
        {
            liveness.RunFinished();
        }

        heartbeat.RequestWrite();
    }

    /// <summary>Every minute at second 0; a missed minute is skipped, not replayed.</summary>
    public static ITrigger CreateTrigger(TimeProvider time, TimeZoneInfo zone) => EveryMinuteTrigger.Create(EveryMinuteKey, Key, 0, time, zone);
}
