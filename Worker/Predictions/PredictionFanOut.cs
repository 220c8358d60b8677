using KrxSignal.Worker.Calendar;
using System.Globalization;
using KrxSignal.Worker.Predictions.Models;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Polly.CircuitBreaker;
using Polly.Timeout;

namespace KrxSignal.Worker.Predictions;

/// <summary>An article and the models it still needs (with the attempts each pair already used).</summary>
public sealed record ArticleWork(PendingArticle Article, IReadOnlyList<ModelWork> Models);

public sealed record ModelWork(ModelOptions Model, int PreviousAttempts);

/// <summary>Rows written by one fan-out, by status, and the articles it completed.</summary>
public sealed record FanOutTotals(int Ok, int Failed, int Skipped, int ArticlesCompleted, int ArticlesCrashed)
{
    public int Rows => Ok + Failed + Skipped;
}

/// <summary>
/// Up to Predictions:MaxConcurrentArticles articles at once; each article's models at once (Task.WhenAll);
/// each model inside its own <see cref="ModelGuard"/>. Every pair writes its own row as soon as it is
/// known, so a fast model's row never waits for a slow one, and the row that completes an article's set
/// sets predicted_at in its own transaction.
/// </summary>
public sealed partial class PredictionFanOut(
    ModelCatalog catalog,
    ModelGuards guards,
    PredictionStore store,
    UsageLedger ledger,
    IOptions<PredictionsOptions> options,
    TimeProvider time,
    ILogger<PredictionFanOut> logger)
{
    public async Task<FanOutTotals> RunAsync(IReadOnlyList<ArticleWork> work, IReadOnlyList<string> setModelIds, CancellationToken cancellationToken)
    {
        var totals = new Counter();
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = options.Value.MaxConcurrentArticles, CancellationToken = cancellationToken };
        await Parallel.ForEachAsync(work, parallel, async (item, token) =>
        {
            try
            {
                await ProcessArticleAsync(item, setModelIds, totals, token);
            }
            catch (Exception e) when (e is not OperationCanceledException || !token.IsCancellationRequested)
            {
                // A database error on one article must not abandon the others; the article stays pending.
                Interlocked.Increment(ref totals.Crashed);
                Log.ArticleCrashed(logger, item.Article.Id, e);
            }
        });
        return new FanOutTotals(totals.Ok, totals.Failed, totals.Skipped, totals.Completed, totals.Crashed);
    }

    private async Task ProcessArticleAsync(ArticleWork item, IReadOnlyList<string> setModelIds, Counter totals, CancellationToken cancellationToken)
    {
        var article = item.Article;
        var started = time.GetTimestamp();
        if (item.Models.Count == 0)
        {
            if (await store.CompleteIfDoneAsync(article.Id, setModelIds, time.GetUtcNow(), cancellationToken))
            {
                Interlocked.Increment(ref totals.Completed);
            }

            return;
        }

        Log.FanOutStarted(logger, article.Id, article.Ticker, item.Models.Count);
        var rows = await Task.WhenAll(item.Models.Select(m => RunPairAsync(article, m, setModelIds, cancellationToken)));
        var ok = rows.Count(r => r.Row.Status == PredictionRow.Ok);
        var failed = rows.Count(r => r.Row.Status == PredictionRow.Failed);
        var skipped = rows.Length - ok - failed;
        var completed = rows.Any(r => r.Completed);
        Interlocked.Add(ref totals.Ok, ok);
        Interlocked.Add(ref totals.Failed, failed);
        Interlocked.Add(ref totals.Skipped, skipped);
        if (completed)
        {
            Interlocked.Increment(ref totals.Completed);
        }

        var elapsedMs = Elapsed(started);
        Log.FanOutFinished(logger, article.Id, article.Ticker, elapsedMs, ok, failed, skipped, completed ? "predicted" : "not complete yet");
    }

    private async Task<(PredictionRow Row, bool Completed)> RunPairAsync(PendingArticle article, ModelWork work, IReadOnlyList<string> setModelIds, CancellationToken cancellationToken)
    {
        var model = work.Model;
        var now = time.GetUtcNow();
        var day = Kst.DayOf(now);
        var started = time.GetTimestamp();
        PredictionRow row;
        UsageDelta? usage = null;

        if (!model.Enabled)
        {
            row = new PredictionRow(article.Id, model.Id, PredictionRow.Skipped, work.PreviousAttempts, null, Error: "disabled");
        }
        else if (catalog.Find(model.Provider) is not { } implementation)
        {
            row = new PredictionRow(article.Id, model.Id, PredictionRow.Failed, work.PreviousAttempts + 1, null, Error: $"no implementation of provider '{model.Provider}'");
        }
        else if (await ledger.IsExhaustedAsync(model, day, cancellationToken))
        {
            row = new PredictionRow(
                article.Id, model.Id, PredictionRow.Skipped, work.PreviousAttempts, null,
                Error: string.Create(CultureInfo.InvariantCulture, $"budget: the daily {model.DailyBudgetUsd} USD of {day} is used up; resumes at KST midnight"));
        }
        else
        {
            (row, usage) = await CallAsync(implementation, article, work, day, started, cancellationToken);
        }

        var completed = await store.SaveAsync(row, usage, setModelIds, time.GetUtcNow(), cancellationToken);
        if (usage is not null)
        {
            await ledger.AfterCallAsync(model, day, cancellationToken);
        }

        LogResult(row);
        return (row, completed);
    }

    private async Task<(PredictionRow Row, UsageDelta? Usage)> CallAsync(
        IPredictionModel implementation, PendingArticle article, ModelWork work, string day, long started, CancellationToken cancellationToken)
    {
        var model = work.Model;
        var guard = guards.For(model);
        var attempt = work.PreviousAttempts + 1;
        string? error;
        try
        {
            var answer = await guard.CallAsync(token => implementation.PredictAsync(model, article, token), cancellationToken);
            var latency = Elapsed(started);
            var cost = UsageLedger.CostOf(model, answer.TokensIn, answer.TokensOut);
            guard.Recent.Add(failed: false);
            var row = new PredictionRow(
                article.Id, model.Id, PredictionRow.Ok, attempt, latency, answer.Direction, answer.Impact, answer.Confidence, answer.Reasoning,
                answer.TokensIn, answer.TokensOut, cost);
            return (row, new UsageDelta(day, model.Id, 0, (answer.TokensIn ?? 0) + (answer.TokensOut ?? 0), cost));
        }
        catch (BrokenCircuitException)
        {
            // Not a call: the breaker refused it. Skipped, so the article is not held back by this model.
            return (new PredictionRow(article.Id, model.Id, PredictionRow.Skipped, work.PreviousAttempts, Elapsed(started), Error: "circuit open: too many recent failures"), null);
        }
        catch (TimeoutRejectedException)
        {
            error = string.Create(CultureInfo.InvariantCulture, $"timed out after {model.Timeout.TotalSeconds:0.###} s");
        }
        catch (ModelFailedException e)
        {
            error = e.Message;
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // An unexpected fault of one model is that model's failure, never the article's or the run's.
            error = $"{e.GetType().Name}: {e.Message}";
        }

        guard.Recent.Add(failed: true);
        var failedRow = new PredictionRow(article.Id, model.Id, PredictionRow.Failed, attempt, Elapsed(started), Error: error);
        return (failedRow, new UsageDelta(day, model.Id, 1, 0, 0));
    }

    private long Elapsed(long started) => (long)time.GetElapsedTime(started).TotalMilliseconds;

    private void LogResult(PredictionRow row)
    {
        switch (row.Status)
        {
            case PredictionRow.Ok:
                Log.ModelOk(logger, row.ModelId, row.ArticleId, row.Direction!, row.Impact!, row.Confidence ?? 0, row.LatencyMs ?? 0);
                break;
            case PredictionRow.Failed:
                Log.ModelFailed(logger, row.ModelId, row.ArticleId, row.LatencyMs ?? 0, row.Attempts, options.Value.MaxAttempts, row.Error ?? "");
                break;
            default:
                Log.ModelSkipped(logger, row.ModelId, row.ArticleId, row.Error ?? "");
                break;
        }
    }

    private sealed class Counter
    {
        public int Ok;
        public int Failed;
        public int Skipped;
        public int Completed;
        public int Crashed;
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Information, Message = "Predicting article {ArticleId} ({Ticker}) with {ModelCount} models")]
        public static partial void FanOutStarted(ILogger logger, string articleId, string ticker, int modelCount);

        [LoggerMessage(Level = LogLevel.Information, Message = "  {ModelId} on {ArticleId}: {Direction}/{Impact} confidence {Confidence:0.00} in {LatencyMs} ms")]
        public static partial void ModelOk(ILogger logger, string modelId, string articleId, string direction, string impact, double confidence, long latencyMs);

        [LoggerMessage(Level = LogLevel.Warning, Message = "  {ModelId} on {ArticleId}: failed after {LatencyMs} ms (attempt {Attempt} of {MaxAttempts}): {Reason}")]
        public static partial void ModelFailed(ILogger logger, string modelId, string articleId, long latencyMs, int attempt, int maxAttempts, string reason);

        [LoggerMessage(Level = LogLevel.Information, Message = "  {ModelId} on {ArticleId}: skipped, {Reason}")]
        public static partial void ModelSkipped(ILogger logger, string modelId, string articleId, string reason);

        [LoggerMessage(Level = LogLevel.Information, Message = "Article {ArticleId} ({Ticker}) took {ElapsedMs} ms: {Ok} ok, {Failed} failed, {Skipped} skipped; {State}")]
        public static partial void FanOutFinished(ILogger logger, string articleId, string ticker, long elapsedMs, int ok, int failed, int skipped, string state);

        [LoggerMessage(Level = LogLevel.Error, Message = "Predictions for article {ArticleId} stopped unexpectedly; it stays pending for the next run")]
        public static partial void ArticleCrashed(ILogger logger, string articleId, Exception exception);
    }
}
