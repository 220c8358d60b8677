using KrxSignal.Worker.Health;
using KrxSignal.Worker.Pipeline;
using KrxSignal.Worker.StockApi;
using Microsoft.Extensions.Options;
using Quartz;

namespace KrxSignal.Worker.Scheduling;

/// <summary>
/// Fires on the market-window triggers: runs the "poll" stage, then asks for a <see cref="PipelineJob"/>
/// run so fresh articles are predicted without waiting for its minute trigger.
/// </summary>
[DisallowConcurrentExecution]
public sealed class PollJob(PipelineRunner pipeline, IOptions<StockApiOptions> stockApi, JobRunRecorder recorder, MarketScheduleProvider schedule, HeartbeatWriter heartbeat) : IJob
{
    public static readonly JobKey Key = new("poll", "pipeline");

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken)
    {
        var fireTime = context.ScheduledFireTimeUtc ?? context.FireTimeUtc;
        var outcome = await recorder.RunAsync(PipelineRunner.PollStage, fireTime, ct => PollAsync(fireTime, ct), cancellationToken);
        heartbeat.RequestWrite();
        if (outcome.Status != JobRunStatus.Cancelled && !cancellationToken.IsCancellationRequested)
        {
            await context.Scheduler.TriggerJob(PipelineJob.Key, cancellationToken: cancellationToken);
        }
    }

    private async Task<JobOutcome> PollAsync(DateTimeOffset fireTime, CancellationToken cancellationToken)
    {
        if (!pipeline.StageNames.Contains(PipelineRunner.PollStage))
        {
            return JobOutcome.Skipped("no poll stage in this build");
        }

        if (!stockApi.Value.PollingEnabled)
        {
            return JobOutcome.Skipped("polling is off until StockApi:BaseUrl is set");
        }

        // A Retry-After wait inside the poll must not run past the next scheduled poll, whichever window it is in.
        var next = schedule.Current?.NextFireAfter(fireTime)?.Time;
        var window = schedule.Current?.Calendar.PhaseAt(fireTime);
        var result = await pipeline.Stage(PipelineRunner.PollStage).RunAsync(new StageContext(NextPollAt: next, Window: window), cancellationToken);
        return JobOutcome.From([(PipelineRunner.PollStage, result)]);
    }
}
