using KrxSignal.Worker.Predictions.Models;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace KrxSignal.Worker.Predictions;

/// <summary>An article and the models it still needs (with the attempts each pair already used).</summary>
public sealed record ArticleWork(PendingArticle Article, IReadOnlyList<ModelWork> Models);

/// <param name="PreviousAttempts">The attempts that counted against Predictions:MaxAttempts so far.</param>
/// <param name="LastFailureTransient">The pair's row is a transient failure: it expires, rather than being retried, once its article is older than Predictions:MaxAge.</param>
public sealed record ModelWork(ModelOptions Model, int PreviousAttempts, bool LastFailureTransient = false);

/// <summary>Rows written by one fan-out, by status; pairs deferred by an open circuit (no row) and their models.</summary>
public sealed record FanOutTotals(int Ok, int Failed, int Skipped, int ArticlesCompleted, int ArticlesCrashed, int Deferred = 0, IReadOnlyList<string>? DeferredModels = null)
{
    public int Rows => Ok + Failed + Skipped;
}

/// <summary>
/// Up to Predictions:MaxConcurrentArticles articles at once; each article's models at once (Task.WhenAll);
/// each pair through <see cref="PairRunner"/>. Every pair writes its own row as soon as it is known, so a fast
/// model's row never waits for a slow one, and the row that completes an article's set sets predicted_at in
/// its own transaction.
/// </summary>
public sealed partial class PredictionFanOut(
    PairRunner pairs,
    PredictionStore store,
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
        return new FanOutTotals(
            totals.Ok, totals.Failed, totals.Skipped, totals.Completed, totals.Crashed, totals.Deferred, totals.DeferredModels.Keys.Order(StringComparer.Ordinal).ToList());
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
        var outcomes = await Task.WhenAll(item.Models.Select(m => pairs.RunAsync(article, m, setModelIds, cancellationToken)));
        var ok = outcomes.Count(o => o.Row?.Status == PredictionStatus.Ok);
        var failed = outcomes.Count(o => o.Row?.Status == PredictionStatus.Failed);
        var deferred = outcomes.Count(o => o.Deferred);
        var skipped = outcomes.Length - ok - failed - deferred;
        var completed = outcomes.Any(o => o.Completed);
        Interlocked.Add(ref totals.Ok, ok);
        Interlocked.Add(ref totals.Failed, failed);
        Interlocked.Add(ref totals.Skipped, skipped);
        Interlocked.Add(ref totals.Deferred, deferred);
        foreach (var (outcome, model) in outcomes.Zip(item.Models).Where(p => p.First.Deferred))
        {
            totals.DeferredModels.TryAdd(model.Model.Id, 0);
        }

        if (completed)
        {
            Interlocked.Increment(ref totals.Completed);
        }

        var elapsedMs = (long)time.GetElapsedTime(started).TotalMilliseconds;
        var state = completed ? "predicted" : deferred > 0 ? $"{deferred} deferred, stays pending" : "not complete yet";
        Log.FanOutFinished(logger, article.Id, article.Ticker, elapsedMs, ok, failed, skipped, state);
    }

    private sealed class Counter
    {
        public readonly System.Collections.Concurrent.ConcurrentDictionary<string, byte> DeferredModels = new(StringComparer.Ordinal);
        public int Ok;
        public int Failed;
        public int Skipped;
        public int Deferred;
        public int Completed;
        public int Crashed;
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Information, Message = "Predicting article {ArticleId} ({Ticker}) with {ModelCount} models")]
        public static partial void FanOutStarted(ILogger logger, string articleId, string ticker, int modelCount);

        [LoggerMessage(Level = LogLevel.Information, Message = "Article {ArticleId} ({Ticker}) took {ElapsedMs} ms: {Ok} ok, {Failed} failed, {Skipped} skipped; {State}")]
        public static partial void FanOutFinished(ILogger logger, string articleId, string ticker, long elapsedMs, int ok, int failed, int skipped, string state);

        [LoggerMessage(Level = LogLevel.Error, Message = "Predictions for article {ArticleId} stopped unexpectedly; it stays pending for the next run")]
        public static partial void ArticleCrashed(ILogger logger, string articleId, Exception exception);
    }
}
