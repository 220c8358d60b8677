using System.Globalization;
using KrxSignal.Worker.Calendar;
using KrxSignal.Worker.Predictions.Models;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Polly.CircuitBreaker;
using Polly.Timeout;

namespace KrxSignal.Worker.Predictions;

/// <summary>What one pair came to: a row written (and whether it completed its article), or deferred with no row.</summary>
public sealed record PairOutcome(PairResult? Row, bool Completed)
{
    public bool Deferred => Row is null;
}

/// <summary>
/// One (article, model) pair: the checks before a call (disabled, budget), the call inside the model's guard, and
/// its row. A pair refused by an open circuit writes nothing, so its article stays pending and a later run asks
/// again once the breaker lets calls through; only when the article is older than Predictions:MaxAge does the
/// refusal close the pair, as skipped with an "expired: …" error. A transient failure (5xx, 429, timeout,
/// connection) is written as failed but uses none of the pair's Predictions:MaxAttempts, so a long outage whose
/// half-open trial calls keep failing cannot use the budget up; such a pair expires at MaxAge exactly like a refused one.
/// </summary>
public sealed partial class PairRunner(
    ModelCatalog catalog,
    ModelGuards guards,
    PredictionStore store,
    UsageLedger ledger,
    IOptions<PredictionsOptions> options,
    TimeProvider time,
    ILogger<PairRunner> logger)
{
    public async Task<PairOutcome> RunAsync(PendingArticle article, ModelWork work, IReadOnlyList<string> setModelIds, CancellationToken cancellationToken)
    {
        var model = work.Model;
        var now = time.GetUtcNow();
        var day = Kst.DayOf(now);
        var started = time.GetTimestamp();
        PairResult? row;
        UsageDelta? usage = null;

        if (!model.Enabled)
        {
            row = new PairResult(article.Id, model.Id, PredictionStatus.Skipped, work.PreviousAttempts, null, Error: "disabled");
        }
        else if (catalog.Find(model.Provider) is not { } implementation)
        {
            row = new PairResult(article.Id, model.Id, PredictionStatus.Failed, work.PreviousAttempts + 1, null, Error: $"no implementation of provider '{model.Provider}'");
        }
        else if (work.LastFailureTransient && Expired(article) is { } expired)
        {
            // Too old to be worth another call: close it without asking, as a refused pair would be closed.
            row = new PairResult(article.Id, model.Id, PredictionStatus.Skipped, work.PreviousAttempts, null, Error: $"{expired} and {model.Id} last failed transiently", Transient: true);
        }
        else if (await ledger.ExhaustedReasonAsync(model, day, cancellationToken) is { } budget)
        {
            row = new PairResult(article.Id, model.Id, PredictionStatus.Skipped, work.PreviousAttempts, null, Error: budget);
        }
        else
        {
            (row, usage) = await CallAsync(implementation, article, work, day, started, cancellationToken);
        }

        if (row is null)
        {
            Log.ModelDeferred(logger, model.Id, article.Id);
            return new PairOutcome(null, Completed: false);
        }

        var saved = await store.SaveAsync(row, usage, setModelIds, time.GetUtcNow(), cancellationToken);
        if (saved.Usage is { } totals)
        {
            ledger.AfterCall(model, day, totals);
        }

        LogResult(row);
        return new PairOutcome(row, saved.Completed);
    }

    private async Task<(PairResult? Row, UsageDelta? Usage)> CallAsync(
        IPredictionModel implementation, PendingArticle article, ModelWork work, string day, long started, CancellationToken cancellationToken)
    {
        var model = work.Model;
        var guard = guards.For(model);
        var attempt = work.PreviousAttempts + 1;
        string? error;
        bool transient;
        try
        {
            var answer = await guard.CallAsync(token => implementation.PredictAsync(model, article, token), cancellationToken);
            var cost = UsageLedger.CostOf(model, answer.TokensIn, answer.TokensOut);
            guard.Recent.Add(failed: false);
            var row = new PairResult(
                article.Id, model.Id, PredictionStatus.Ok, attempt, Elapsed(started), answer.Direction, answer.Impact, answer.Confidence, answer.Reasoning,
                answer.TokensIn, answer.TokensOut, cost, Normalised: answer.Normalised);
            return (row, new UsageDelta(day, model.Id, 0, (answer.TokensIn ?? 0) + (answer.TokensOut ?? 0), cost));
        }
        catch (BrokenCircuitException)
        {
            // Not a call: the breaker refused it. No row, unless the article has grown too old to be worth asking about.
            return Expired(article) is { } expired
                ? (new PairResult(
                    article.Id, model.Id, PredictionStatus.Skipped, work.PreviousAttempts, null, Error: $"{expired} and the circuit of {model.Id} is still open",
                    Transient: work.LastFailureTransient), null)
                : (null, null);
        }
        catch (TimeoutRejectedException)
        {
            error = string.Create(CultureInfo.InvariantCulture, $"timed out after {model.Timeout.TotalSeconds:0.###} s");
            transient = true;
        }
        catch (ModelFailedException e)
        {
            error = e.Message;
            transient = e.Transient;
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // An unexpected fault of one model is that model's failure, never the article's or the run's; a raw
            // HttpRequestException is connection trouble, which the guard's retry treats as transient too.
            error = $"{e.GetType().Name}: {e.Message}";
            transient = e is HttpRequestException;
        }

        guard.Recent.Add(failed: true);
        var failure = new UsageDelta(day, model.Id, 1, 0, 0);
        if (!transient)
        {
            return (new PairResult(article.Id, model.Id, PredictionStatus.Failed, attempt, Elapsed(started), Error: error), failure);
        }

        // An outage is not the pair's fault: its attempts stay as they were, and only MaxAge ends its retries.
        var transientRow = Expired(article) is { } tooOld
            ? new PairResult(article.Id, model.Id, PredictionStatus.Skipped, work.PreviousAttempts, Elapsed(started), Error: $"{tooOld}; last failure: {error}", Transient: true)
            : new PairResult(article.Id, model.Id, PredictionStatus.Failed, work.PreviousAttempts, Elapsed(started), Error: error, Transient: true);
        return (transientRow, failure);
    }

    /// <summary>The start of an "expired: …" error when the article is older than Predictions:MaxAge; null while it is young enough.</summary>
    private string? Expired(PendingArticle article)
    {
        var maxAge = options.Value.MaxAge;
        return time.GetUtcNow() - article.PublishedAt > maxAge
            ? string.Create(CultureInfo.InvariantCulture, $"expired: the article is older than Predictions:MaxAge ({maxAge:c})")
            : null;
    }

    private long Elapsed(long started) => (long)time.GetElapsedTime(started).TotalMilliseconds;

    private void LogResult(PairResult row)
    {
        switch (row.Status)
        {
            case PredictionStatus.Ok:
                Log.ModelOk(logger, row.ModelId, row.ArticleId, row.Direction!, row.Impact!, row.Confidence ?? 0, row.LatencyMs ?? 0, row.Normalised is null ? "" : $" (normalised: {row.Normalised})");
                break;
            case PredictionStatus.Failed when row.Transient:
                Log.ModelFailedTransiently(logger, row.ModelId, row.ArticleId, row.LatencyMs ?? 0, row.Error ?? "");
                break;
            case PredictionStatus.Failed:
                Log.ModelFailed(logger, row.ModelId, row.ArticleId, row.LatencyMs ?? 0, row.Attempts, options.Value.MaxAttempts, row.Error ?? "");
                break;
            default:
                Log.ModelSkipped(logger, row.ModelId, row.ArticleId, row.Error ?? "");
                break;
        }
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Information, Message = "  {ModelId} on {ArticleId}: {Direction}/{Impact} confidence {Confidence:0.00} in {LatencyMs} ms{Normalised}")]
        public static partial void ModelOk(ILogger logger, string modelId, string articleId, string direction, string impact, double confidence, long latencyMs, string normalised);

        [LoggerMessage(Level = LogLevel.Warning, Message = "  {ModelId} on {ArticleId}: failed after {LatencyMs} ms (attempt {Attempt} of {MaxAttempts}): {Reason}")]
        public static partial void ModelFailed(ILogger logger, string modelId, string articleId, long latencyMs, int attempt, int maxAttempts, string reason);

        [LoggerMessage(Level = LogLevel.Warning, Message = "  {ModelId} on {ArticleId}: failed after {LatencyMs} ms, transiently (not counted against MaxAttempts; retried until the article is older than MaxAge): {Reason}")]
        public static partial void ModelFailedTransiently(ILogger logger, string modelId, string articleId, long latencyMs, string reason);

        [LoggerMessage(Level = LogLevel.Information, Message = "  {ModelId} on {ArticleId}: skipped, {Reason}")]
        public static partial void ModelSkipped(ILogger logger, string modelId, string articleId, string reason);

        [LoggerMessage(Level = LogLevel.Warning, Message = "  {ModelId} on {ArticleId}: deferred, the circuit is open; the article stays pending for a later run")]
        public static partial void ModelDeferred(ILogger logger, string modelId, string articleId);
    }
}
