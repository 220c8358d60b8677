using System.Data.Common;
using Dapper;
using KrxSignal.Worker.Storage;

namespace KrxSignal.Worker.Notify.Outbox;

/// <summary>
/// Recomputes a message's status from its deliveries and mirrors it onto its source row (signals or news_articles).
/// Two nodes may settle one message at once, each after recording its own channel's delivery: on PostgreSQL the
/// message row is locked first, so the second settles only after the first commits and reads both deliveries,
/// rather than each reading the other's delivery as still pending and leaving the message pending for ever.
/// </summary>
internal static class MessageSettlement
{
    private static string Sql(StorageProvider provider) => $"""
        {SqlDialect.For(provider).LockRows("notifications", "id = @Id")}
        UPDATE notifications SET
            status = CASE
                WHEN EXISTS (SELECT 1 FROM deliveries d WHERE d.notification_id = notifications.id AND d.status = 'pending') THEN 'pending'
                WHEN EXISTS (SELECT 1 FROM deliveries d WHERE d.notification_id = notifications.id AND d.status = 'failed') THEN 'failed'
                WHEN EXISTS (SELECT 1 FROM deliveries d WHERE d.notification_id = notifications.id AND d.status = 'sent') THEN 'sent'
                WHEN EXISTS (SELECT 1 FROM deliveries d WHERE d.notification_id = notifications.id AND d.status = 'expired') THEN 'expired'
                ELSE 'skipped' END,
            notified_at = COALESCE(notified_at, (SELECT MIN(d.delivered_at) FROM deliveries d WHERE d.notification_id = notifications.id AND d.status = 'sent'))
        WHERE id = @Id;

        UPDATE notifications SET completed_at = @Now WHERE id = @Id AND status <> 'pending' AND completed_at IS NULL;

        UPDATE signals SET
            status = CASE n.status WHEN 'sent' THEN 'sent' WHEN 'failed' THEN 'failed' WHEN 'expired' THEN 'failed' ELSE 'pending' END,
            notified_at = n.notified_at,
            attempts = (SELECT COALESCE(SUM(d.attempts), 0) FROM deliveries d WHERE d.notification_id = n.id),
            next_attempt_at = (SELECT MIN(d.next_attempt_at) FROM deliveries d WHERE d.notification_id = n.id AND d.status = 'pending'),
            last_error = COALESCE(
                (SELECT string_agg(d.channel || ': ' || d.last_error, '; ') FROM deliveries d
                 WHERE d.notification_id = n.id AND d.status <> 'sent' AND d.last_error IS NOT NULL),
                CASE WHEN n.status = 'skipped' THEN 'not sent: no notification channel configured' END)
        FROM notifications n
        WHERE n.id = @Id AND signals.id = n.signal_id;

        UPDATE news_articles SET notified_at = n.notified_at
        FROM notifications n
        WHERE n.id = @Id AND news_articles.id = n.article_id AND news_articles.notified_at IS NULL AND n.notified_at IS NOT NULL;
        """;

    public static Task<int> SettleAsync(
        StorageProvider provider, DbConnection connection, DbTransaction transaction, long id, DateTimeOffset now, CancellationToken cancellationToken) =>
        connection.ExecuteAsync(new CommandDefinition(Sql(provider), new { Id = id, Now = now }, transaction, cancellationToken: cancellationToken));
}
