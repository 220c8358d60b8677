using Dapper;
using KrxSignal.Worker.Storage;

namespace KrxSignal.Worker.Notify.Outbox;

/// <summary>
/// Putting messages into the outbox (migrations 0002 and 0003): notifications (one per message) and deliveries (one
/// per message and channel). Rows are only ever moved forward (pending → sent/failed/skipped/expired); nothing is deleted.
/// </summary>
internal sealed class OutboxIntake(Database connections, MessageExpiry expiry)
{
    /// <summary>Queues every signal not queued yet and, when <paramref name="digestsSince"/> is set, a digest per recently predicted article.</summary>
    /// <returns>How many messages were queued.</returns>
    public async Task<int> EnqueueAsync(DateTimeOffset? digestsSince, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken);
        var messages = new List<NewMessage>();
        var signals = await connection.QueryAsync<SignalRow>(new CommandDefinition(
            """
            SELECT s.id AS Id, s.ticker AS Ticker, s.action AS Action, s.score AS Score, s.confidence AS Confidence, s.reason AS Reason, s.created_at AS CreatedAt, s.details AS Details
            FROM signals s
            WHERE s.status = 'pending' AND s.notified_at IS NULL
              AND NOT EXISTS (SELECT 1 FROM notifications n WHERE n.signal_id = s.id)
            ORDER BY s.created_at, s.id
            """, cancellationToken: cancellationToken));
        messages.AddRange(signals.Select(MessageComposer.ForSignal));

        if (digestsSince is { } since)
        {
            var articles = (await connection.QueryAsync<ArticleRow>(new CommandDefinition(
                """
                SELECT a.id AS Id, a.ticker AS Ticker, a.title AS Title, a.url AS Url, a.source AS Source, a.published_at AS PublishedAt, a.predicted_at AS PredictedAt
                FROM news_articles a
                WHERE a.predicted_at IS NOT NULL AND a.predicted_at >= @Since AND a.notified_at IS NULL AND a.ticker IS NOT NULL
                  AND NOT EXISTS (SELECT 1 FROM notifications n WHERE n.article_id = a.id)
                ORDER BY a.predicted_at, a.id
                """, new { Since = since }, cancellationToken: cancellationToken))).AsList();
            if (articles.Count > 0)
            {
                var predictions = (await connection.QueryAsync<PredictionRow>(new CommandDefinition(
                    $"""
                    SELECT p.article_id AS ArticleId, p.model_id AS ModelId, p.status AS Status, p.direction AS Direction, p.impact AS Impact,
                           p.confidence AS Confidence, p.reasoning AS Reasoning
                    FROM predictions p
                    WHERE p.article_id IN ({SqlDialect.For(connections.Provider).TextList("@Ids")})
                    ORDER BY p.model_id
                    """, new { Ids = SqlList.Of(articles.Select(a => a.Id)) },
                    cancellationToken: cancellationToken))).ToLookup(p => p.ArticleId, StringComparer.Ordinal);
                messages.AddRange(articles.Select(a => MessageComposer.ForDigest(a, predictions[a.Id].ToList())));
            }
        }

        if (messages.Count == 0)
        {
            return 0;
        }

        var queued = 0;
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        // A total order by source (keys are random): two nodes queueing the same messages take their rows in the same
        // order, so on PostgreSQL the second waits for the first rather than deadlocking with it.
        foreach (var message in messages.OrderBy(m => m.CreatedAt).ThenBy(m => m.SignalId).ThenBy(m => m.ArticleId, StringComparer.Ordinal))
        {
            // A concurrent run may have queued the same source a moment ago (UNIQUE signal_id, article_id and
            // idempotency_key): its row stands and this one is not counted.
            queued += await connection.ExecuteAsync(new CommandDefinition(
                """
                INSERT INTO notifications (kind, signal_id, article_id, idempotency_key, payload, text, created_at, status, expires_at)
                VALUES (@Kind, @SignalId, @ArticleId, @IdempotencyKey, @Payload, @Text, @CreatedAt, 'pending', @ExpiresAt)
                ON CONFLICT DO NOTHING
                """,
                new { message.Kind, message.SignalId, message.ArticleId, message.IdempotencyKey, message.Payload, message.Text, message.CreatedAt, ExpiresAt = expiry.For(message.Kind, message.CreatedAt) },
                transaction, cancellationToken: cancellationToken));
        }

        await transaction.CommitAsync(cancellationToken);
        return queued;
    }

    /// <summary>
    /// Gives every pending message a delivery row per configured channel, closes deliveries of channels that are
    /// no longer configured, and settles messages with nothing left to deliver.
    /// </summary>
    /// <returns>Messages that ended 'skipped' because no channel took them.</returns>
    public async Task<int> SyncChannelsAsync(IReadOnlyList<string> channels, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var list = SqlDialect.For(connections.Provider).TextList("@Configured");
        await connection.ExecuteAsync(new CommandDefinition(
            $"""
            UPDATE deliveries SET status = 'skipped', last_error = COALESCE(last_error, 'channel no longer configured')
            WHERE status = 'pending' AND channel NOT IN ({list});

            INSERT INTO deliveries (notification_id, channel, status)
            SELECT n.id, c.value, 'pending' FROM notifications n CROSS JOIN ({list}) c WHERE n.status = 'pending'
            ON CONFLICT DO NOTHING;
            """, new { Configured = SqlList.Of(channels) }, transaction, cancellationToken: cancellationToken));

        var settled = (await connection.QueryAsync<long>(new CommandDefinition(
            """
            SELECT n.id FROM notifications n
            WHERE n.status = 'pending' AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.notification_id = n.id AND d.status = 'pending')
            """, transaction: transaction, cancellationToken: cancellationToken))).AsList();
        foreach (var id in settled.Order())
        {
            await MessageSettlement.SettleAsync(connections.Provider, connection, transaction, id, now, cancellationToken);
        }

        var skipped = settled.Count == 0 ? 0 : await connection.ExecuteScalarAsync<int>(new CommandDefinition(
            $"SELECT COUNT(*) FROM notifications WHERE status = 'skipped' AND id IN ({SqlDialect.For(connections.Provider).IdList("@Ids")})",
            new { Ids = SqlList.Of(settled) }, transaction, cancellationToken: cancellationToken));
        await transaction.CommitAsync(cancellationToken);
        return skipped;
    }

    /// <summary>What the heartbeat shows: pending messages, the oldest one's creation time, and messages failed or expired since <paramref name="since"/>.</summary>
    public async Task<OutboxCounts> CountAsync(DateTimeOffset since, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken);
        return await connection.QuerySingleAsync<OutboxCounts>(new CommandDefinition(
            """
            SELECT (SELECT COUNT(*) FROM notifications WHERE status = 'pending') AS Pending,
                   (SELECT MIN(created_at) FROM notifications WHERE status = 'pending') AS OldestPending,
                   (SELECT COUNT(*) FROM notifications WHERE status = 'failed' AND completed_at >= @Since) AS Failed,
                   (SELECT COUNT(*) FROM notifications WHERE status = 'expired' AND completed_at >= @Since) AS Expired
            """, new { Since = since }, cancellationToken: cancellationToken));
    }
}
