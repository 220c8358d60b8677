using KrxSignal.Worker.Notify;
using KrxSignal.Worker.Predictions;
using KrxSignal.Worker.Signals;
using KrxSignal.Worker.StockApi;
using Microsoft.Extensions.Logging;

namespace KrxSignal.Worker.Pipeline;

/// <summary>
/// The four stages, fixed at compile time: poll (with ingest), then predict, signal and notify. A failing stage does
/// not stop the later ones. The daemon's jobs, `poll-once` and `replay` all go through here.
/// </summary>
internal sealed partial class PipelineRunner(
    PollStage poll,
    PredictStage predict,
    SignalStage signal,
    NotifyStage notify,
    ILogger<PipelineRunner> logger)
{
    /// <summary>The poll stage's name: its job name in job_runs and the word poll-once prints.</summary>
    public const string PollStage = "poll";

    private readonly IPipelineStage[] _downstream = [predict, signal, notify];

    /// <summary>The stages in the order they run.</summary>
    public IReadOnlyList<IPipelineStage> Stages => [poll, .. _downstream];

    /// <summary>One poll of the stock API with ingest; the stages after it run separately (<see cref="RunDownstreamAsync"/>).</summary>
    public async Task<StageRun> RunPollCycleAsync(StageContext context, CancellationToken cancellationToken) =>
        await RunStageAsync(poll, context, cancellationToken);

    /// <summary>Everything after polling: predict, signal, notify, in that order.</summary>
    public async Task<IReadOnlyList<StageRun>> RunDownstreamAsync(StageContext context, CancellationToken cancellationToken)
    {
        var runs = new List<StageRun>(_downstream.Length);
        foreach (var stage in _downstream)
        {
            runs.Add(await RunStageAsync(stage, context, cancellationToken));
        }

        return runs;
    }

    private async Task<StageRun> RunStageAsync(IPipelineStage stage, StageContext context, CancellationToken cancellationToken)
    {
        try
        {
            return new StageRun(stage.Name, await stage.RunAsync(context, cancellationToken));
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // One broken stage must not keep the others from running: a dead notifier only delays delivery.
            Log.StageCrashed(logger, stage.Name, e);
            return new StageRun(stage.Name, new StageResult(StageOutcome.Failed, 0, $"{e.GetType().Name}: {e.Message}") { Fault = Storage.DatabaseFaults.Classify(e) });
        }
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Error, Message = "Pipeline stage {Stage} failed unexpectedly")]
        public static partial void StageCrashed(ILogger logger, string stage, Exception exception);
    }
}
