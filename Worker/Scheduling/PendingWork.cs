using Dapper;
using KrxSignal.Worker.Predictions;
using KrxSignal.Worker.Storage;
using Microsoft.Extensions.Options;

namespace KrxSignal.Worker.Scheduling;

/// <param name="DueNow">Something the pipeline or the delivery run would act on now: an article or pair to predict, a signal
/// not yet in the outbox, a delivery whose time has come.</param>
/// <param name="NextDueAt">The earliest known future instant something becomes due (a retry's next attempt, a lease's or a
/// channel hold's end, a message's expiry); null when nothing is scheduled.</param>
internal sealed record PendingWork(bool DueNow, DateTimeOffset? NextDueAt);

/// <summary>Reads from the database what work is waiting, in one statement, for <see cref="PipelineWake"/>.</summary>
internal sealed class PendingWorkProbe(Database connections, IOptions<PredictionsOptions> predictions)
{
    // The same conditions the stages select on: the predict stage's pending articles and retryable pairs, the notify
    // stage's signals without a notification, and the claim's due deliveries on a channel that may send. Written for both
    // providers: a CASE cast to BIGINT rather than a bare boolean, an alias on the derived table.
    private const string Sql = """
        SELECT CAST(CASE WHEN
          EXISTS (SELECT 1 FROM news_articles WHERE predicted_at IS NULL AND ticker IS NOT NULL)
          OR EXISTS (SELECT 1 FROM predictions WHERE status = 'failed' AND (transient = 1 OR attempts < @MaxAttempts))
          OR EXISTS (SELECT 1 FROM signals s WHERE s.status = 'pending' AND s.notified_at IS NULL
                     AND NOT EXISTS (SELECT 1 FROM notifications n WHERE n.signal_id = s.id))
          OR EXISTS (SELECT 1 FROM deliveries d WHERE d.status = 'pending'
                     AND (d.next_attempt_at IS NULL OR d.next_attempt_at <= @Now)
                     AND (d.lease_until IS NULL OR d.lease_until <= @Now)
                     AND d.channel NOT IN (SELECT c.channel FROM notify_channels c WHERE c.state = 'disabled' OR c.retry_at > @Now))
          THEN 1 ELSE 0 END AS BIGINT) AS DueNow,
          (SELECT MIN(t) FROM (
             SELECT MIN(next_attempt_at) AS t FROM deliveries WHERE status = 'pending' AND next_attempt_at > @Now
             UNION ALL SELECT MIN(lease_until) FROM deliveries WHERE status = 'pending' AND lease_until > @Now
             UNION ALL SELECT MIN(retry_at) FROM notify_channels WHERE state IN ('blocked', 'held') AND retry_at > @Now
             UNION ALL SELECT MIN(expires_at) FROM notifications WHERE status = 'pending' AND expires_at > @Now) AS due) AS NextDueAt
        """;

    public async Task<PendingWork> ReadAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken);
        var row = await connection.QuerySingleAsync<PendingWorkRow>(new CommandDefinition(
            Sql, new { Now = now, predictions.Value.MaxAttempts }, cancellationToken: cancellationToken));
        return new PendingWork(row.DueNow != 0, row.NextDueAt);
    }

    private sealed record PendingWorkRow(long DueNow, DateTimeOffset? NextDueAt);
}
