using System.Data.Common;
using Dapper;
using KrxSignal.Worker.Predictions.Models;
using KrxSignal.Worker.Storage;

namespace KrxSignal.Worker.Predictions;

/// <summary>
/// The prediction feature's SQL: pending articles, rows per (article, model), the usage ledger. Several nodes (or one
/// node's concurrent models) may save rows of one article at once: each save locks the article's row first, so the
/// check that completes the article sees every row committed before it and predicted_at is set exactly once.
/// </summary>
public sealed class PredictionStore(Database connections)
{
    private readonly SqlDialect _sql = SqlDialect.For(connections.Provider);

    private const string ArticleColumns =
        "a.id AS Id, a.ticker AS Ticker, a.title AS Title, a.summary AS Summary, a.sentiment AS Sentiment, a.published_at AS PublishedAt";

    /// <summary>Articles with a ticker and no predicted_at, newest first (the partial index ix_news_articles_pending serves this).</summary>
    public async Task<IReadOnlyList<PendingArticle>> PendingAsync(int limit, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<PendingArticleRow>(new CommandDefinition(
            $"SELECT {ArticleColumns} FROM news_articles a WHERE a.predicted_at IS NULL AND a.ticker IS NOT NULL ORDER BY a.published_at DESC, a.id LIMIT @limit;",
            new { limit },
            cancellationToken: cancellationToken));
        return rows.Select(r => r.ToArticle()).ToList();
    }

    public async Task<int> PendingCountAsync(CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<int>(new CommandDefinition(
            "SELECT COUNT(*) FROM news_articles WHERE predicted_at IS NULL AND ticker IS NOT NULL;", cancellationToken: cancellationToken));
    }

    public async Task<IReadOnlyList<ExistingPrediction>> RowsForAsync(IReadOnlyList<string> articleIds, CancellationToken cancellationToken)
    {
        if (articleIds.Count == 0)
        {
            return [];
        }

        await using var connection = await connections.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<ExistingRow>(new CommandDefinition(
            $"SELECT article_id AS ArticleId, model_id AS ModelId, status AS Status, attempts AS Attempts, transient AS Transient FROM predictions WHERE article_id IN ({_sql.TextList("@ArticleIds")});",
            new { ArticleIds = SqlList.Of(articleIds) },
            cancellationToken: cancellationToken));
        return rows.Select(r => new ExistingPrediction(r.ArticleId, r.ModelId, r.Status, (int)r.Attempts, r.Transient != 0)).ToList();
    }

    /// <summary>
    /// Failed pairs of articles that are already complete, whose last failure was transient or which are still under
    /// the attempt limit: later runs retry them (a transient one expires at Predictions:MaxAge instead, in PairRunner).
    /// </summary>
    public async Task<IReadOnlyList<RetryablePair>> RetryableAsync(int maxAttempts, IReadOnlyList<string> modelIds, int limit, CancellationToken cancellationToken)
    {
        if (modelIds.Count == 0)
        {
            return [];
        }

        await using var connection = await connections.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<RetryRow>(new CommandDefinition(
            $"""
            SELECT {ArticleColumns}, p.model_id AS ModelId, p.attempts AS Attempts, p.transient AS Transient
            FROM predictions p JOIN news_articles a ON a.id = p.article_id
            WHERE p.status = 'failed' AND (p.transient = 1 OR p.attempts < @maxAttempts) AND p.model_id IN ({_sql.TextList("@ModelIds")}) AND a.predicted_at IS NOT NULL
            ORDER BY a.published_at DESC, a.id
            LIMIT @limit;
            """,
            new { maxAttempts, ModelIds = SqlList.Of(modelIds), limit },
            cancellationToken: cancellationToken));
        return rows.Select(r => new RetryablePair(r.ToArticle(), r.ModelId, (int)r.Attempts, r.Transient != 0)).ToList();
    }

    /// <summary>
    /// Upserts the row and its usage, and sets the article's predicted_at in the same transaction when every
    /// model of <paramref name="setModelIds"/> now has a row: a kill at any instant leaves either both or neither.
    /// </summary>
    /// <returns>Whether this row completed the article's set, and the model's day totals when usage was added (no second read for the budget).</returns>
    public async Task<SaveOutcome> SaveAsync(PairResult row, UsageDelta? usage, IReadOnlyList<string> setModelIds, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await LockArticleAsync(connection, transaction, row.ArticleId, cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO predictions (article_id, model_id, status, direction, impact, confidence, reasoning, latency_ms, tokens_in, tokens_out, cost, error, attempts, normalised, transient, created_at, updated_at)
            VALUES (@ArticleId, @ModelId, @Status, @Direction, @Impact, @Confidence, @Reasoning, @LatencyMs, @TokensIn, @TokensOut, @Cost, @Error, @Attempts, @Normalised, @Transient, @Now, @Now)
            ON CONFLICT (article_id, model_id) DO UPDATE SET
                status = excluded.status, direction = excluded.direction, impact = excluded.impact, confidence = excluded.confidence,
                reasoning = excluded.reasoning, latency_ms = excluded.latency_ms, tokens_in = excluded.tokens_in, tokens_out = excluded.tokens_out,
                cost = excluded.cost, error = excluded.error, attempts = excluded.attempts, normalised = excluded.normalised,
                transient = excluded.transient, updated_at = excluded.updated_at
            WHERE predictions.status <> 'ok';
            """,
            new
            {
                row.ArticleId, row.ModelId, row.Status, row.Direction, row.Impact, row.Confidence, row.Reasoning, row.LatencyMs, row.TokensIn, row.TokensOut,
                row.Cost, row.Error, row.Attempts, row.Normalised, Transient = row.Transient ? 1 : 0, Now = now,
            },
            transaction,
            cancellationToken: cancellationToken));

        UsageTotals? totals = null;
        if (usage is not null)
        {
            totals = await connection.QuerySingleAsync<UsageTotalsRow>(new CommandDefinition(
                """
                INSERT INTO model_usage (day, model_id, calls, failures, tokens, cost) VALUES (@Day, @ModelId, 1, @Failures, @Tokens, @Cost)
                ON CONFLICT (day, model_id) DO UPDATE SET
                    calls = model_usage.calls + 1, failures = model_usage.failures + excluded.failures,
                    tokens = model_usage.tokens + excluded.tokens, cost = model_usage.cost + excluded.cost
                RETURNING model_id AS ModelId, tokens AS Tokens, cost AS Cost;
                """,
                usage,
                transaction,
                cancellationToken: cancellationToken)) is { } r ? r.ToTotals() : null;
        }

        var completed = await MarkIfCompleteAsync(connection, transaction, row.ArticleId, setModelIds, now, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return new SaveOutcome(completed, totals);
    }

    /// <summary>For an article whose rows all exist already (a changed model list can leave one so).</summary>
    public async Task<bool> CompleteIfDoneAsync(string articleId, IReadOnlyList<string> setModelIds, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await LockArticleAsync(connection, transaction, articleId, cancellationToken);
        var completed = await MarkIfCompleteAsync(connection, transaction, articleId, setModelIds, now, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return completed;
    }

    public async Task<UsageTotals> UsageAsync(string day, string modelId, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<UsageTotalsRow>(new CommandDefinition(
            "SELECT model_id AS ModelId, tokens AS Tokens, cost AS Cost FROM model_usage WHERE day = @day AND model_id = @modelId;",
            new { day, modelId },
            cancellationToken: cancellationToken));
        return row?.ToTotals() ?? UsageTotals.None;
    }

    public async Task<IReadOnlyDictionary<string, UsageTotals>> UsageByModelAsync(string day, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<UsageTotalsRow>(new CommandDefinition(
            "SELECT model_id AS ModelId, tokens AS Tokens, cost AS Cost FROM model_usage WHERE day = @day;", new { day }, cancellationToken: cancellationToken));
        return rows.ToDictionary(r => r.ModelId, r => r.ToTotals(), StringComparer.Ordinal);
    }

    // Without it, under read committed two saves of one article's last two rows each count only their own row and
    // neither completes the article.
    private async Task LockArticleAsync(DbConnection connection, DbTransaction transaction, string articleId, CancellationToken cancellationToken) =>
        await connection.ExecuteAsync(new CommandDefinition(
            $"SELECT id FROM news_articles WHERE id = @articleId{_sql.ForUpdate};", new { articleId }, transaction, cancellationToken: cancellationToken));

    private async Task<bool> MarkIfCompleteAsync(
        DbConnection connection, DbTransaction transaction, string articleId, IReadOnlyList<string> setModelIds, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var changed = await connection.ExecuteAsync(new CommandDefinition(
            $"""
            UPDATE news_articles SET predicted_at = @now
            WHERE id = @articleId AND predicted_at IS NULL
              AND (SELECT COUNT(*) FROM predictions WHERE article_id = @articleId AND model_id IN ({_sql.TextList("@SetModelIds")})) = @count;
            """,
            new { now, articleId, SetModelIds = SqlList.Of(setModelIds), count = setModelIds.Count },
            transaction,
            cancellationToken: cancellationToken));
        return changed == 1;
    }

    // Records with settable properties rather than positional ones: Dapper's constructor matching is strict about
    // column types, and SQLite reports the type of each value (a NULL has none).
    private record PendingArticleRow
    {
        public string Id { get; init; } = "";

        public string Ticker { get; init; } = "";

        public string Title { get; init; } = "";

        public string? Summary { get; init; }

        public double? Sentiment { get; init; }

        public DateTimeOffset PublishedAt { get; init; }

        public PendingArticle ToArticle() => new(Id, Ticker, Title, Summary, Sentiment, PublishedAt);
    }

    private sealed record RetryRow : PendingArticleRow
    {
        public string ModelId { get; init; } = "";

        public long Attempts { get; init; }

        public long Transient { get; init; }
    }

    private sealed record ExistingRow
    {
        public string ArticleId { get; init; } = "";

        public string ModelId { get; init; } = "";

        public string Status { get; init; } = "";

        public long Attempts { get; init; }

        public long Transient { get; init; }
    }

    private sealed record UsageTotalsRow
    {
        public string ModelId { get; init; } = "";

        public long Tokens { get; init; }

        public double Cost { get; init; }

        public UsageTotals ToTotals() => new(Tokens, Cost);
    }
}

/// <param name="Usage">The model's day totals after this row's usage, or null when the row added none.</param>
public sealed record SaveOutcome(bool Completed, UsageTotals? Usage);
