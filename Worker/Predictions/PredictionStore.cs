using Dapper;
using KrxSignal.Worker.Predictions.Models;
using KrxSignal.Worker.Storage;

namespace KrxSignal.Worker.Predictions;

/// <summary>The prediction feature's SQL: pending articles, rows per (article, model), the usage ledger.</summary>
public sealed class PredictionStore(SqliteConnectionFactory connections)
{
    private const string ArticleColumns =
        "a.id AS Id, a.ticker AS Ticker, a.title AS Title, a.summary AS Summary, a.sentiment AS Sentiment, a.published_at AS PublishedAt";

    /// <summary>Articles with a ticker and no predicted_at, newest first (the partial index ix_news_articles_pending serves this).</summary>
    public async Task<IReadOnlyList<PendingArticle>> PendingAsync(int limit, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<ArticleRow>(new CommandDefinition(
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
            "SELECT article_id AS ArticleId, model_id AS ModelId, status AS Status, attempts AS Attempts FROM predictions WHERE article_id IN @articleIds;",
            new { articleIds },
            cancellationToken: cancellationToken));
        return rows.Select(r => new ExistingPrediction(r.ArticleId, r.ModelId, r.Status, (int)r.Attempts)).ToList();
    }

    /// <summary>Failed pairs of articles that are already complete, still under the attempt limit: later runs retry them.</summary>
    public async Task<IReadOnlyList<(PendingArticle Article, string ModelId, int Attempts)>> RetryableAsync(
        int maxAttempts, IReadOnlyList<string> modelIds, int limit, CancellationToken cancellationToken)
    {
        if (modelIds.Count == 0)
        {
            return [];
        }

        await using var connection = await connections.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<RetryRow>(new CommandDefinition(
            $"""
            SELECT {ArticleColumns}, p.model_id AS ModelId, p.attempts AS Attempts
            FROM predictions p JOIN news_articles a ON a.id = p.article_id
            WHERE p.status = 'failed' AND p.attempts < @maxAttempts AND p.model_id IN @modelIds AND a.predicted_at IS NOT NULL
            ORDER BY a.published_at DESC, a.id
            LIMIT @limit;
            """,
            new { maxAttempts, modelIds, limit },
            cancellationToken: cancellationToken));
        return rows.Select(r => (r.ToArticle(), r.ModelId, (int)r.Attempts)).ToList();
    }

    /// <summary>
    /// Upserts the row and its usage, and sets the article's predicted_at in the same transaction when every
    /// model of <paramref name="setModelIds"/> now has a row: a kill at any instant leaves either both or neither.
    /// </summary>
    /// <returns>True when this row completed the article's set.</returns>
    public async Task<bool> SaveAsync(PredictionRow row, UsageDelta? usage, IReadOnlyList<string> setModelIds, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO predictions (article_id, model_id, status, direction, impact, confidence, reasoning, latency_ms, tokens_in, tokens_out, cost, error, attempts, created_at, updated_at)
            VALUES (@ArticleId, @ModelId, @Status, @Direction, @Impact, @Confidence, @Reasoning, @LatencyMs, @TokensIn, @TokensOut, @Cost, @Error, @Attempts, @Now, @Now)
            ON CONFLICT (article_id, model_id) DO UPDATE SET
                status = excluded.status, direction = excluded.direction, impact = excluded.impact, confidence = excluded.confidence,
                reasoning = excluded.reasoning, latency_ms = excluded.latency_ms, tokens_in = excluded.tokens_in, tokens_out = excluded.tokens_out,
                cost = excluded.cost, error = excluded.error, attempts = excluded.attempts, updated_at = excluded.updated_at
            WHERE predictions.status <> 'ok';
            """,
            new { row.ArticleId, row.ModelId, row.Status, row.Direction, row.Impact, row.Confidence, row.Reasoning, row.LatencyMs, row.TokensIn, row.TokensOut, row.Cost, row.Error, row.Attempts, Now = now },
            transaction,
            cancellationToken: cancellationToken));

        if (usage is not null)
        {
            await connection.ExecuteAsync(new CommandDefinition(
                """
                INSERT INTO model_usage (day, model_id, calls, failures, tokens, cost) VALUES (@Day, @ModelId, 1, @Failures, @Tokens, @Cost)
                ON CONFLICT (day, model_id) DO UPDATE SET
                    calls = calls + 1, failures = failures + excluded.failures, tokens = tokens + excluded.tokens, cost = cost + excluded.cost;
                """,
                usage,
                transaction,
                cancellationToken: cancellationToken));
        }

        var completed = await MarkIfCompleteAsync(connection, transaction, row.ArticleId, setModelIds, now, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return completed;
    }

    /// <summary>For an article whose rows all exist already (a run ended between its last row and this check cannot happen, but a changed model list can).</summary>
    public async Task<bool> CompleteIfDoneAsync(string articleId, IReadOnlyList<string> setModelIds, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var completed = await MarkIfCompleteAsync(connection, transaction, articleId, setModelIds, now, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return completed;
    }

    public async Task<double> CostAsync(string day, string modelId, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<double?>(new CommandDefinition(
            "SELECT cost FROM model_usage WHERE day = @day AND model_id = @modelId;", new { day, modelId }, cancellationToken: cancellationToken)) ?? 0;
    }

    public async Task<IReadOnlyDictionary<string, double>> CostsAsync(string day, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<(string ModelId, double Cost)>(new CommandDefinition(
            "SELECT model_id, cost FROM model_usage WHERE day = @day;", new { day }, cancellationToken: cancellationToken));
        return rows.ToDictionary(r => r.ModelId, r => r.Cost, StringComparer.Ordinal);
    }

    private static async Task<bool> MarkIfCompleteAsync(
        Microsoft.Data.Sqlite.SqliteConnection connection, System.Data.Common.DbTransaction transaction, string articleId, IReadOnlyList<string> setModelIds, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var changed = await connection.ExecuteAsync(new CommandDefinition(
            """
            UPDATE news_articles SET predicted_at = @now
            WHERE id = @articleId AND predicted_at IS NULL
              AND (SELECT COUNT(*) FROM predictions WHERE article_id = @articleId AND model_id IN @setModelIds) = @count;
            """,
            new { now, articleId, setModelIds, count = setModelIds.Count },
            transaction,
            cancellationToken: cancellationToken));
        return changed == 1;
    }

    // Classes with setters rather than positional records: Dapper's constructor matching is strict about
    // column types, and SQLite reports the type of each value (a NULL has none).
    private class ArticleRow
    {
        public string Id { get; set; } = "";

        public string Ticker { get; set; } = "";

        public string Title { get; set; } = "";

        public string? Summary { get; set; }

        public double? Sentiment { get; set; }

        public string PublishedAt { get; set; } = "";

        public PendingArticle ToArticle() => new(Id, Ticker, Title, Summary, Sentiment, UtcTimeHandlers.Parse(PublishedAt));
    }

    private sealed class RetryRow : ArticleRow
    {
        public string ModelId { get; set; } = "";

        public long Attempts { get; set; }
    }

    private sealed class ExistingRow
    {
        public string ArticleId { get; set; } = "";

        public string ModelId { get; set; } = "";

        public string Status { get; set; } = "";

        public long Attempts { get; set; }
    }
}
