using Microsoft.Extensions.Logging;

namespace KrxSignal.Worker.Pipeline;

/// <summary>Runs the registered stages in order; a failing stage does not stop the later ones.</summary>
public sealed partial class PipelineRunner(IEnumerable<IPipelineStage> stages, ILogger<PipelineRunner> logger)
{
    public const string PollStage = "poll";

    private readonly IReadOnlyList<IPipelineStage> _stages = stages.ToList();

    public IReadOnlyList<string> StageNames => _stages.Select(s => s.Name).ToList();

    /// <summary>Every stage: poll, then everything downstream of it.</summary>
    public Task<IReadOnlyList<(string Stage, StageResult Result)>> RunAllAsync(StageContext context, CancellationToken cancellationToken) =>
        RunAsync(_stages, context, cancellationToken);

    /// <summary>Only the stages after polling (predict, signal, notify).</summary>
    public Task<IReadOnlyList<(string Stage, StageResult Result)>> RunDownstreamAsync(StageContext context, CancellationToken cancellationToken) =>
        RunAsync(_stages.Where(s => s.Name != PollStage), context, cancellationToken);

    public IPipelineStage Stage(string name) =>
        _stages.FirstOrDefault(s => s.Name == name) ?? throw new InvalidOperationException($"No pipeline stage named '{name}' is registered.");

    private async Task<IReadOnlyList<(string Stage, StageResult Result)>> RunAsync(IEnumerable<IPipelineStage> selected, StageContext context, CancellationToken cancellationToken)
    {
        var results = new List<(string, StageResult)>();
        foreach (var stage in selected)
        {
            StageResult result;
            try
            {
                result = await stage.RunAsync(context, cancellationToken);
            }
            catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                // One broken stage must not keep the others from running: a dead notifier only delays delivery.
                Log.StageCrashed(logger, stage.Name, e);
                result = new StageResult(StageOutcome.Failed, 0, $"{e.GetType().Name}: {e.Message}") { Fault = Storage.DatabaseFaults.Classify(e) };
            }

            results.Add((stage.Name, result));
        }

        return results;
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Error, Message = "Pipeline stage {Stage} failed unexpectedly")]
        public static partial void StageCrashed(ILogger logger, string stage, Exception exception);
    }
}
