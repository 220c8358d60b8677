using Dapper;
using KrxSignal.Worker.Storage;
using KrxSignal.Worker.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;

namespace KrxSignal.Worker.Tests.Notify;

/// <summary>
/// SQLite only: the delivery step rebuilds SQLite tables to widen a CHECK. PostgreSQL's schema begins after that step
/// (its baseline is the finished version), so there is nothing of this to migrate there.
/// </summary>
public sealed class DeliveryMigrationTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task MigrateAsync_OutboxWithRowsBeforeDeliveryStep_RowsKeptKeysIntactExpiredAllowed()
    {
        var factory = new SqliteDatabase(_folder.File("worker.db"));
        var delivery = Migration.Embedded.Single(m => m.Name == "delivery");
        await new SchemaMigrator(factory, NullLogger<SchemaMigrator>.Instance, Migration.Embedded.Where(m => m.Version < delivery.Version).ToList()).MigrateAsync(CancellationToken.None);
        await using (var connection = await factory.OpenAsync(CancellationToken.None))
        {
            await connection.ExecuteAsync(
                """
                INSERT INTO signals (id, ticker, action, score, confidence, reason, created_at) VALUES (7, '005930', 'buy', 0.7, 0.8, 'r', '2026-11-19T01:00:00.000Z');
                INSERT INTO notifications (id, kind, signal_id, idempotency_key, payload, text, created_at) VALUES (3, 'signal', 7, 'key-3', '{}', 'BUY', '2026-11-19T01:00:00.000Z');
                INSERT INTO deliveries (notification_id, channel, attempts, last_error) VALUES (3, 'webhook', 2, 'HTTP 500');
                INSERT INTO deliveries (notification_id, channel, status, delivered_at) VALUES (3, 'telegram', 'sent', '2026-11-19T01:00:05.000Z');
                """);
        }

        var migrator = new SchemaMigrator(factory, NullLogger<SchemaMigrator>.Instance);
        var version = await migrator.MigrateAsync(CancellationToken.None);

        version.Should().Be(migrator.LatestVersion);
        await using var migrated = await factory.OpenAsync(CancellationToken.None);
        (await migrated.QueryAsync<(long Id, string Key, string? ExpiresAt)>("SELECT id, idempotency_key, expires_at FROM notifications"))
            .Should().Equal([(3L, "key-3", (string?)null)]);
        (await migrated.QueryAsync<(string Channel, string Status, long Attempts, string? LastError, string? LeaseOwner)>(
            "SELECT channel, status, attempts, last_error, lease_owner FROM deliveries ORDER BY channel"))
            .Should().Equal([("telegram", "sent", 0L, (string?)null, (string?)null), ("webhook", "pending", 2L, "HTTP 500", (string?)null)]);
        (await migrated.QueryAsync<string>("PRAGMA foreign_key_check")).Should().BeEmpty();
        (await migrated.QueryAsync<string>("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name IN ('notifications', 'deliveries') AND name LIKE 'ix_%'"))
            .Should().BeEquivalentTo(["ix_notifications_pending", "ix_notifications_completed", "ix_deliveries_pending"]);
        await migrated.ExecuteAsync("UPDATE deliveries SET status = 'expired' WHERE channel = 'webhook'; UPDATE notifications SET status = 'expired'");
        var orphan = async () => await migrated.ExecuteAsync("INSERT INTO deliveries (notification_id, channel) VALUES (99, 'webhook')");
        await orphan.Should().ThrowAsync<Microsoft.Data.Sqlite.SqliteException>("the rebuilt deliveries table still references notifications");
    }
}
