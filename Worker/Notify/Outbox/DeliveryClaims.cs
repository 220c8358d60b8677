using Dapper;
using KrxSignal.Worker.Storage;

namespace KrxSignal.Worker.Notify.Outbox;

/// <summary>
/// Taking deliveries and recording what became of them. A delivery is claimed before it is sent: one UPDATE sets a
/// lease (owner, until) on the channel's next due row whose lease is free or expired, so two processes never hold
/// one row; the lease of a killed process runs out and its row is taken over. On PostgreSQL the row is picked with
/// FOR UPDATE SKIP LOCKED, so two nodes claiming at once take different rows instead of waiting for one another.
/// </summary>
internal sealed class DeliveryClaims(Database connections)
{
    // The next row in creation order that is pending, unclaimed (or its claim expired), not expired, due, and not
    // behind an earlier message of the channel that is backing off (order is kept); and, for a rate-limited channel,
    // only while fewer than @Limit were sent in the last minute or are being sent now. A rate-limited channel's claims
    // queue on the channel (PostgreSQL), so two nodes cannot both see room for one more.
    private static string ClaimSql(StorageProvider provider) => $"""
        UPDATE deliveries SET lease_owner = @Owner, lease_until = @Until
        WHERE channel = @Channel AND notification_id = (
            SELECT d.notification_id FROM deliveries d JOIN notifications n ON n.id = d.notification_id
            WHERE d.channel = @Channel AND d.status = 'pending'
              AND (d.lease_until IS NULL OR d.lease_until <= @Now)
              AND (n.expires_at IS NULL OR n.expires_at > @Now)
              AND (@DeliverNow = 1 OR d.next_attempt_at IS NULL OR d.next_attempt_at <= @Now)
              AND (@DeliverNow = 1 OR NOT EXISTS (
                  SELECT 1 FROM deliveries e JOIN notifications m ON m.id = e.notification_id
                  WHERE e.channel = d.channel AND e.status = 'pending' AND e.next_attempt_at > @Now
                    AND (m.created_at < n.created_at OR (m.created_at = n.created_at AND m.id < n.id))))
            ORDER BY n.created_at, n.id
            LIMIT 1
            {SqlDialect.For(provider).SkipLocked("d")})
          AND (@Limit IS NULL OR (
              SELECT COUNT(*) FROM deliveries x
              WHERE x.channel = @Channel
                AND ((x.status = 'sent' AND x.delivered_at > @WindowStart) OR (x.status = 'pending' AND x.lease_until > @Now))) < @Limit)
        RETURNING notification_id
        """;

    /// <param name="deliverNow">Ignore backoff (poll-once); claims, expiry and rate limits still hold.</param>
    /// <param name="perMinute">At most this many sends a minute on the channel, across processes; null: no limit.</param>
    /// <returns>The claimed message, or null when nothing is due.</returns>
    public async Task<OutboxMessage?> ClaimNextAsync(
        string channel, string owner, DateTimeOffset now, DateTimeOffset leaseUntil, bool deliverNow, int? perMinute, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        if (perMinute is not null)
        {
            await SqlDialect.RunAsync(connection, transaction, SqlDialect.For(connections.Provider).LockKey, new { LockKey = "channel:" + channel }, cancellationToken);
        }

        var id = await connection.ExecuteScalarAsync<long?>(new CommandDefinition(
            ClaimSql(connections.Provider),
            new { Channel = channel, Owner = owner, Now = now, Until = leaseUntil, DeliverNow = deliverNow ? 1 : 0, Limit = perMinute, WindowStart = now - TimeSpan.FromMinutes(1) },
            transaction, cancellationToken: cancellationToken));
        if (id is not { } notificationId)
        {
            await transaction.CommitAsync(cancellationToken);
            return null;
        }

        var row = await connection.QuerySingleAsync<ClaimedRow>(new CommandDefinition(
            """
            SELECT n.id AS NotificationId, n.kind AS Kind, n.idempotency_key AS IdempotencyKey, n.payload AS Payload, n.text AS Text,
                   d.attempts AS Attempts, n.created_at AS CreatedAt, n.expires_at AS ExpiresAt
            FROM deliveries d JOIN notifications n ON n.id = d.notification_id
            WHERE d.notification_id = @Id AND d.channel = @Channel
            """, new { Id = notificationId, Channel = channel }, transaction, cancellationToken: cancellationToken));
        await transaction.CommitAsync(cancellationToken);
        return row.ToMessage();
    }

    /// <summary>Records a delivery the receiver accepted, and the message's notified_at, in one commit.</summary>
    public async Task MarkSentAsync(long notificationId, string channel, DateTimeOffset now, CancellationToken cancellationToken)
    {
        // Not conditional on the lease: the receiver has the message, whoever holds the row now.
        await RecordAsync(
            """
            UPDATE deliveries SET status = 'sent', attempts = attempts + 1, delivered_at = @Now, next_attempt_at = NULL, lease_owner = NULL, lease_until = NULL
            WHERE notification_id = @Id AND channel = @Channel AND status = 'pending'
            """, new { Id = notificationId, Channel = channel, Now = now }, notificationId, now, cancellationToken);
    }

    /// <summary>Records a failed attempt and frees the claim: pending again at <paramref name="nextAttemptAt"/>, or failed for good when it is null.</summary>
    public Task MarkAttemptFailedAsync(long notificationId, string channel, string owner, string error, DateTimeOffset? nextAttemptAt, DateTimeOffset now, CancellationToken cancellationToken) =>
        RecordAsync(
            """
            UPDATE deliveries SET attempts = attempts + 1, last_error = @Error, lease_owner = NULL, lease_until = NULL,
                status = @Status, next_attempt_at = @Next
            WHERE notification_id = @Id AND channel = @Channel AND status = 'pending' AND lease_owner = @Owner
            """, new { Id = notificationId, Channel = channel, Owner = owner, Error = error, Next = nextAttemptAt, Status = nextAttemptAt is null ? "failed" : "pending" }, notificationId, now, cancellationToken);

    /// <summary>Frees a claim without counting an attempt: the channel could not take it (blocked, disabled) and it waits.</summary>
    public Task ReleaseAsync(long notificationId, string channel, string owner, string reason, DateTimeOffset now, CancellationToken cancellationToken) =>
        RecordAsync(
            """
            UPDATE deliveries SET last_error = @Reason, lease_owner = NULL, lease_until = NULL
            WHERE notification_id = @Id AND channel = @Channel AND status = 'pending' AND lease_owner = @Owner
            """, new { Id = notificationId, Channel = channel, Owner = owner, Reason = reason }, notificationId, now, cancellationToken);

    /// <summary>Marks every unclaimed pending delivery whose message is past its expiry as 'expired'.</summary>
    /// <returns>How many deliveries expired.</returns>
    public async Task<int> ExpireDueAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var expired = (await connection.QueryAsync<long>(new CommandDefinition(
            $"""
            UPDATE deliveries SET status = 'expired', next_attempt_at = NULL,
                last_error = 'expired: not delivered by ' || (SELECT {SqlDialect.For(connections.Provider).UtcText("n.expires_at")} FROM notifications n WHERE n.id = deliveries.notification_id)
            WHERE status = 'pending' AND (lease_until IS NULL OR lease_until <= @Now)
              AND notification_id IN (SELECT id FROM notifications WHERE status = 'pending' AND expires_at <= @Now)
            RETURNING notification_id
            """, new { Now = now }, transaction, cancellationToken: cancellationToken))).AsList();
        // In id order: two nodes settling overlapping messages lock them in the same order and never deadlock.
        foreach (var id in expired.Distinct().Order())
        {
            await MessageSettlement.SettleAsync(connections.Provider, connection, transaction, id, now, cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        return expired.Count;
    }

    private async Task RecordAsync(string sql, object parameters, long notificationId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(sql, parameters, transaction, cancellationToken: cancellationToken));
        await MessageSettlement.SettleAsync(connections.Provider, connection, transaction, notificationId, now, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }
}
