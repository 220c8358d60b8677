using KrxSignal.Worker.Health;
using KrxSignal.Worker.Pipeline;
using KrxSignal.Worker.StockApi;
using Microsoft.Extensions.Options;
using Quartz;

namespace KrxSignal.Worker.Scheduling;

/// <summary>
/// Fires on the market-window triggers: runs one poll cycle, then asks for a <see cref="PipelineJob"/>
/// run so fresh articles are predicted without waiting for its minute trigger.
/// </summary>
[DisallowConcurrentExecution]
internal sealed class PollJob(PipelineRunner pipeline, IOptions<StockApiOptions> stockApi, JobRunRecorder recorder, MarketScheduleProvider schedule, HeartbeatWriter heartbeat, TimeProvider time) : IJob
{
    public static readonly JobKey Key = new("poll", "pipeline");

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken)
    {
        var fireTime = context.ScheduledFireTimeUtc ?? context.FireTimeUtc;
        var outcome = await recorder.RunAsync(PipelineRunner.PollStage, fireTime, ct => PollAsync(fireTime, ct), cancellationToken);
        heartbeat.RequestWrite();
        if (outcome.Status != JobRunStatus.Cancelled && !cancellationToken.IsCancellationRequested)
        {
            await context.Scheduler.FireNowAsync(PipelineJob.Key, time, cancellationToken);
        }
    }

    private async Task<JobOutcome> PollAsync(DateTimeOffset fireTime, CancellationToken cancellationToken)
    {
        if (!stockApi.Value.PollingEnabled)
        {
            return JobOutcome.Skipped("polling is off until StockApi:BaseUrl is set");
        }

        // The registrar builds the schedule before it registers the triggers that fire this job.
        var current = schedule.Current ?? throw new InvalidOperationException("The poll job fired before the market schedule was built.");
        var run = await pipeline.RunPollCycleAsync(current.PollAt(fireTime).Context(), cancellationToken);
        return JobOutcome.From([run]);
    }
}
