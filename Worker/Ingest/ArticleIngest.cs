using Dapper;
using KrxSignal.Worker.StockApi;
using KrxSignal.Worker.Storage;

namespace KrxSignal.Worker.Ingest;

/// <summary>
/// Stores the news endpoint's articles exactly once: the same article comes back in every later call of the day,
/// and the upstream id is the key. Articles without a ticker are kept (the prediction step skips them). Ingest
/// writes the article columns of news_articles; predicted_at and notified_at belong to Predictions and Notify.
/// Two nodes ingesting the same call at once: the second insert of an id waits for the first to commit and then
/// does nothing, so the article has one row and only one node counts it new. Rows go in id order, so two batches
/// that share articles take their row locks in the same order and never deadlock.
/// </summary>
internal sealed class ArticleIngest(Database connections, TimeProvider time)
{
    /// <returns>How many articles were new.</returns>
    public async Task<int> IngestAsync(IReadOnlyList<Article> articles, CancellationToken cancellationToken)
    {
        if (articles.Count == 0)
        {
            return 0;
        }

        var createdAt = time.GetUtcNow();
        await using var connection = await connections.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var inserted = await connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO news_articles (id, ticker, title, summary, source, url, published_at, sentiment, created_at)
            VALUES (@Id, @Ticker, @Title, @Summary, @Source, @Url, @PublishedAt, @Sentiment, @CreatedAt)
            ON CONFLICT (id) DO NOTHING
            """,
            articles.OrderBy(a => a.Id, StringComparer.Ordinal).Select(a => new { a.Id, a.Ticker, a.Title, a.Summary, a.Source, a.Url, a.PublishedAt, a.Sentiment, CreatedAt = createdAt }),
            transaction,
            cancellationToken: cancellationToken));
        await transaction.CommitAsync(cancellationToken);
        return inserted;
    }
}
