using System.Data.Common;
using Dapper;
using KrxSignal.Worker.Storage;

namespace KrxSignal.Worker.Notify.Outbox;

/// <summary>
/// The outbox tables (migration 0002): notifications (one per message) and deliveries (one per message and
/// channel). Rows are only ever moved forward (pending → sent/failed/skipped); nothing is deleted.
/// </summary>
public sealed class OutboxStore(SqliteConnectionFactory connections)
{
    // Recomputes a message from its deliveries and mirrors the result onto its source row (signals or news_articles).
    private const string FinalizeSql = """
        UPDATE notifications SET
            status = CASE
                WHEN EXISTS (SELECT 1 FROM deliveries d WHERE d.notification_id = notifications.id AND d.status = 'pending') THEN 'pending'
                WHEN EXISTS (SELECT 1 FROM deliveries d WHERE d.notification_id = notifications.id AND d.status = 'failed') THEN 'failed'
                WHEN EXISTS (SELECT 1 FROM deliveries d WHERE d.notification_id = notifications.id AND d.status = 'sent') THEN 'sent'
                ELSE 'skipped' END,
            notified_at = COALESCE(notified_at, (SELECT MIN(d.delivered_at) FROM deliveries d WHERE d.notification_id = notifications.id AND d.status = 'sent'))
        WHERE id = @Id;

        UPDATE notifications SET completed_at = @Now WHERE id = @Id AND status <> 'pending' AND completed_at IS NULL;

        UPDATE signals SET
            status = CASE n.status WHEN 'sent' THEN 'sent' WHEN 'failed' THEN 'failed' ELSE 'pending' END,
            notified_at = n.notified_at,
            attempts = (SELECT COALESCE(SUM(d.attempts), 0) FROM deliveries d WHERE d.notification_id = n.id),
            next_attempt_at = (SELECT MIN(d.next_attempt_at) FROM deliveries d WHERE d.notification_id = n.id AND d.status = 'pending'),
            last_error = COALESCE(
                (SELECT group_concat(d.channel || ': ' || d.last_error, '; ') FROM deliveries d
                 WHERE d.notification_id = n.id AND d.status <> 'sent' AND d.last_error IS NOT NULL),
                CASE WHEN n.status = 'skipped' THEN 'not sent: no notification channel configured' END)
        FROM notifications n
        WHERE n.id = @Id AND signals.id = n.signal_id;

        UPDATE news_articles SET notified_at = n.notified_at
        FROM notifications n
        WHERE n.id = @Id AND news_articles.id = n.article_id AND news_articles.notified_at IS NULL AND n.notified_at IS NOT NULL;
        """;

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
                """, new { Since = UtcTimeHandlers.ToText(since) }, cancellationToken: cancellationToken))).AsList();
            if (articles.Count > 0)
            {
                var predictions = (await connection.QueryAsync<PredictionRow>(new CommandDefinition(
                    """
                    SELECT p.article_id AS ArticleId, p.model_id AS ModelId, p.status AS Status, p.direction AS Direction, p.impact AS Impact,
                           p.confidence AS Confidence, p.reasoning AS Reasoning
                    FROM predictions p
                    WHERE p.article_id IN (SELECT value FROM json_each(@Ids))
                    ORDER BY p.model_id
                    """, new { Ids = System.Text.Json.JsonSerializer.Serialize(articles.Select(a => a.Id).ToArray(), IdListJson.Default.StringArray) },
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
        foreach (var message in messages.OrderBy(m => m.CreatedAt))
        {
            // OR IGNORE: a concurrent run may have queued the same source a moment ago (UNIQUE signal_id / article_id).
            queued += await connection.ExecuteAsync(new CommandDefinition(
                """
                INSERT OR IGNORE INTO notifications (kind, signal_id, article_id, idempotency_key, payload, text, created_at, status)
                VALUES (@Kind, @SignalId, @ArticleId, @IdempotencyKey, @Payload, @Text, @CreatedAt, 'pending')
                """,
                new { message.Kind, message.SignalId, message.ArticleId, message.IdempotencyKey, message.Payload, message.Text, CreatedAt = UtcTimeHandlers.ToText(message.CreatedAt) },
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
        var configured = System.Text.Json.JsonSerializer.Serialize(channels.ToArray(), IdListJson.Default.StringArray);
        await connection.ExecuteAsync(new CommandDefinition(
            """
            UPDATE deliveries SET status = 'skipped', last_error = COALESCE(last_error, 'channel no longer configured')
            WHERE status = 'pending' AND channel NOT IN (SELECT value FROM json_each(@Configured));

            INSERT OR IGNORE INTO deliveries (notification_id, channel, status)
            SELECT n.id, c.value, 'pending' FROM notifications n, json_each(@Configured) c WHERE n.status = 'pending';
            """, new { Configured = configured }, transaction, cancellationToken: cancellationToken));

        var settled = (await connection.QueryAsync<long>(new CommandDefinition(
            """
            SELECT n.id FROM notifications n
            WHERE n.status = 'pending' AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.notification_id = n.id AND d.status = 'pending')
            """, transaction: transaction, cancellationToken: cancellationToken))).AsList();
        foreach (var id in settled)
        {
            await FinalizeAsync(connection, transaction, id, now, cancellationToken);
        }

        var skipped = settled.Count == 0 ? 0 : await connection.ExecuteScalarAsync<int>(new CommandDefinition(
            "SELECT COUNT(*) FROM notifications WHERE status = 'skipped' AND id IN (SELECT value FROM json_each(@Ids))",
            new { Ids = System.Text.Json.JsonSerializer.Serialize(settled.ToArray(), IdListJson.Default.Int64Array) }, transaction, cancellationToken: cancellationToken));
        await transaction.CommitAsync(cancellationToken);
        return skipped;
    }

    /// <summary>A channel's pending messages in creation order: the order they must go out in.</summary>
    public async Task<IReadOnlyList<OutboxMessage>> LoadPendingAsync(string channel, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<(long, string, string, string, string, long, string?)>(new CommandDefinition(
            """
            SELECT n.id, n.kind, n.idempotency_key, n.payload, n.text, d.attempts, d.next_attempt_at
            FROM deliveries d JOIN notifications n ON n.id = d.notification_id
            WHERE d.channel = @Channel AND d.status = 'pending'
            ORDER BY n.created_at, n.id
            """, new { Channel = channel }, cancellationToken: cancellationToken));
        return rows.Select(r => new OutboxMessage(r.Item1, r.Item2, r.Item3, r.Item4, r.Item5, (int)r.Item6, r.Item7 is null ? null : UtcTimeHandlers.Parse(r.Item7))).ToList();
    }

    /// <summary>Records a delivery the receiver accepted, and the message's notified_at, in one commit.</summary>
    public async Task MarkSentAsync(long notificationId, string channel, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            """
            UPDATE deliveries SET status = 'sent', attempts = attempts + 1, delivered_at = @Now, next_attempt_at = NULL
            WHERE notification_id = @Id AND channel = @Channel AND status = 'pending'
            """, new { Id = notificationId, Channel = channel, Now = UtcTimeHandlers.ToText(now) }, transaction, cancellationToken: cancellationToken));
        await FinalizeAsync(connection, transaction, notificationId, now, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    /// <summary>Records a failed attempt: pending again at <paramref name="nextAttemptAt"/>, or failed for good when it is null.</summary>
    public async Task MarkAttemptFailedAsync(long notificationId, string channel, string error, DateTimeOffset? nextAttemptAt, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            """
            UPDATE deliveries SET attempts = attempts + 1, last_error = @Error,
                status = CASE WHEN @Next IS NULL THEN 'failed' ELSE 'pending' END, next_attempt_at = @Next
            WHERE notification_id = @Id AND channel = @Channel AND status = 'pending'
            """,
            new { Id = notificationId, Channel = channel, Error = error, Next = nextAttemptAt is { } next ? UtcTimeHandlers.ToText(next) : null },
            transaction, cancellationToken: cancellationToken));
        await FinalizeAsync(connection, transaction, notificationId, now, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    /// <summary>What the heartbeat shows: pending messages, the oldest one's creation time, and messages failed since <paramref name="failedSince"/>.</summary>
    public async Task<(int Pending, DateTimeOffset? OldestPending, int Failed)> CountAsync(DateTimeOffset failedSince, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken);
        var row = await connection.QuerySingleAsync<(long, string?, long)>(new CommandDefinition(
            """
            SELECT (SELECT COUNT(*) FROM notifications WHERE status = 'pending'),
                   (SELECT MIN(created_at) FROM notifications WHERE status = 'pending'),
                   (SELECT COUNT(*) FROM notifications WHERE status = 'failed' AND completed_at >= @Since)
            """, new { Since = UtcTimeHandlers.ToText(failedSince) }, cancellationToken: cancellationToken));
        return ((int)row.Item1, row.Item2 is null ? null : UtcTimeHandlers.Parse(row.Item2), (int)row.Item3);
    }

    private static Task<int> FinalizeAsync(DbConnection connection, DbTransaction transaction, long id, DateTimeOffset now, CancellationToken cancellationToken) =>
        connection.ExecuteAsync(new CommandDefinition(FinalizeSql, new { Id = id, Now = UtcTimeHandlers.ToText(now) }, transaction, cancellationToken: cancellationToken));
}
