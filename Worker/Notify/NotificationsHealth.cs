using System.Globalization;
using KrxSignal.Worker.Health;
using KrxSignal.Worker.Notify.Outbox;
using Microsoft.Data.Sqlite;

namespace KrxSignal.Worker.Notify;

/// <summary>The outbox in the heartbeat: pending messages, the oldest one's age, and recent failures (degraded).</summary>
public sealed class NotificationsHealth(OutboxStore store, TimeProvider time) : IHeartbeatContributor
{
    /// <summary>A failed message keeps the status degraded this long: long enough to be seen, not forever.</summary>
    public static readonly TimeSpan FailedVisibleFor = TimeSpan.FromDays(1);

    /// <summary>A message older than this still pending is worth a warning.</summary>
    public static readonly TimeSpan OldPending = TimeSpan.FromMinutes(30);

    public async ValueTask ContributeAsync(HeartbeatDraft draft, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        try
        {
            var (pending, oldest, failed) = await store.CountAsync(now - FailedVisibleFor, cancellationToken);
            var age = oldest is { } created ? Math.Max(0, (now - created).TotalSeconds) : (double?)null;
            draft.Notifications = (pending, age, failed);
            if (failed > 0)
            {
                draft.Report(HealthStatus.Degraded, string.Create(CultureInfo.InvariantCulture, $"{failed} notifications failed in the last 24 h (notifications.status = 'failed'; see deliveries.last_error)"));
            }

            if (age > OldPending.TotalSeconds)
            {
                draft.Warn(string.Create(CultureInfo.InvariantCulture, $"{pending} notifications pending, the oldest for {age / 60:0} min"));
            }
        }
        catch (SqliteException e)
        {
            draft.Warn($"notification outbox unreadable: {e.Message}");
        }
    }
}
