using KrxSignal.Worker.Pipeline;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace KrxSignal.Worker.Predictions;

/// <summary>
/// The "predict" stage: one batch of pending articles (newest first) plus failed pairs still under
/// Predictions:MaxAttempts or whose last failure was transient, fanned out across the configured models. Work already recorded is never
/// redone, so a run cut short by a kill is finished by the next one without duplicate rows.
/// </summary>
public sealed partial class PredictStage(
    PredictionStore store,
    PredictionFanOut fanOut,
    IOptions<ModelsOptions> models,
    IOptions<PredictionsOptions> options,
    ILogger<PredictStage> logger) : IPipelineStage
{
    public string Name => "predict";

    public async Task<StageResult> RunAsync(StageContext context, CancellationToken cancellationToken)
    {
        var work = await PlanAsync(cancellationToken);
        if (work.Count == 0)
        {
            return StageResult.Ok(0, "no articles waiting for predictions");
        }

        var setModelIds = models.Value.Items.Select(m => m.Id).ToList();
        var pairs = work.Sum(w => w.Models.Count);
        Log.RunStarted(logger, work.Count, pairs);
        var totals = await fanOut.RunAsync(work, setModelIds, cancellationToken);
        var summary = $"{totals.Rows} prediction rows ({totals.Ok} ok, {totals.Failed} failed, {totals.Skipped} skipped), {totals.ArticlesCompleted} articles completed";
        if (totals.ArticlesCrashed > 0)
        {
            return new StageResult(StageOutcome.Partial, totals.Rows, $"{summary}, {totals.ArticlesCrashed} articles stopped by an error");
        }

        // An open circuit loses nothing (the pairs stay pending), but the run did not do its work: say so, by model.
        if (totals.Deferred > 0)
        {
            var which = string.Join(", ", totals.DeferredModels ?? []);
            return new StageResult(StageOutcome.Partial, totals.Rows, $"{summary}, {totals.Deferred} pairs deferred: circuit open for {which}");
        }

        // Every model failing every call is a broken stage, not a quiet one.
        var outcome = totals.Rows > 0 && totals.Ok == 0 && totals.Failed > 0 ? StageOutcome.Partial : StageOutcome.Ok;
        return new StageResult(outcome, totals.Rows, summary);
    }

    /// <summary>What this run must do: for each article, the models without a row or with a retryable failure.</summary>
    public async Task<IReadOnlyList<ArticleWork>> PlanAsync(CancellationToken cancellationToken)
    {
        var configured = models.Value.Items;
        var maxAttempts = options.Value.MaxAttempts;
        var pending = await store.PendingAsync(options.Value.BatchSize, cancellationToken);
        var existing = (await store.RowsForAsync(pending.Select(a => a.Id).ToList(), cancellationToken))
            .ToLookup(r => r.ArticleId, StringComparer.Ordinal);

        var work = new List<ArticleWork>();
        foreach (var article in pending)
        {
            var rows = existing[article.Id].ToDictionary(r => r.ModelId, StringComparer.Ordinal);
            var needed = new List<ModelWork>();
            foreach (var model in configured)
            {
                if (!rows.TryGetValue(model.Id, out var row))
                {
                    needed.Add(new ModelWork(model, 0));
                }
                else if (row.Retryable(maxAttempts) && model.Enabled)
                {
                    needed.Add(new ModelWork(model, row.Attempts, row.Transient));
                }
            }

            work.Add(new ArticleWork(article, needed));
        }

        var enabled = configured.Where(m => m.Enabled).ToDictionary(m => m.Id, StringComparer.Ordinal);
        var retries = await store.RetryableAsync(maxAttempts, enabled.Keys.ToList(), options.Value.BatchSize, cancellationToken);
        foreach (var group in retries.GroupBy(r => r.Article.Id, StringComparer.Ordinal))
        {
            work.Add(new ArticleWork(group.First().Article, group.Select(r => new ModelWork(enabled[r.ModelId], r.Attempts, r.Transient)).ToList()));
        }

        return work;
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Information, Message = "Prediction run: {Articles} articles, {Pairs} (article, model) pairs to do")]
        public static partial void RunStarted(ILogger logger, int articles, int pairs);
    }
}
