using System.Data.Common;
using System.Globalization;
using KrxSignal.Worker.Health;
using KrxSignal.Worker.Notify.Outbox;

namespace KrxSignal.Worker.Notify;

/// <summary>
/// The outbox in the heartbeat: pending messages, the oldest one's age, recent failures and expiries (degraded),
/// and every channel that is disabled (410) or unhealthy (401/403/404) while its messages wait (degraded).
/// </summary>
internal sealed class NotificationsHealth(OutboxIntake queue, ChannelStates states, TimeProvider time) : IHeartbeatContributor
{
    /// <summary>A failed or expired message keeps the status degraded this long: long enough to be seen, not forever.</summary>
    public static readonly TimeSpan FailedVisibleFor = TimeSpan.FromDays(1);

    /// <summary>A message older than this still pending is worth a warning.</summary>
    public static readonly TimeSpan OldPending = TimeSpan.FromMinutes(30);

    public async ValueTask ContributeAsync(HeartbeatDraft draft, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        try
        {
            var counts = await queue.CountAsync(now - FailedVisibleFor, cancellationToken);
            var age = counts.OldestPending is { } created ? Math.Max(0, (now - created).TotalSeconds) : (double?)null;
            draft.Notifications = (counts.Pending, age, counts.Failed);
            if (counts.Failed > 0)
            {
                draft.Report(HealthStatus.Degraded, string.Create(CultureInfo.InvariantCulture, $"{counts.Failed} notifications failed in the last 24 h (notifications.status = 'failed'; see deliveries.last_error)"));
            }

            if (counts.Expired > 0)
            {
                draft.Report(HealthStatus.Degraded, string.Create(CultureInfo.InvariantCulture, $"{counts.Expired} notifications expired undelivered in the last 24 h (notifications.status = 'expired')"));
            }

            if (age > OldPending.TotalSeconds)
            {
                draft.Warn(string.Create(CultureInfo.InvariantCulture, $"{counts.Pending} notifications pending, the oldest for {age / 60:0} min"));
            }

            foreach (var state in await states.AllAsync(cancellationToken))
            {
                if (Describe(state) is { } problem)
                {
                    draft.Report(HealthStatus.Degraded, problem);
                }
            }
        }
        catch (DbException e)
        {
            draft.Warn($"notification outbox unreadable: {e.Message}");
        }
    }

    /// <summary>One line for a channel that needs the operator, or null when it only waits out a Retry-After.</summary>
    public static string? Describe(ChannelState state) => state.State switch
    {
        ChannelState.Disabled => $"notification channel {state.Channel} disabled since {state.Since:O} by {state.Reason}; its messages wait: change its address or run `Worker notify resume {state.Channel}`",
        ChannelState.Blocked => $"notification channel {state.Channel} unhealthy since {state.Since:O}: {state.Reason}; its messages wait (check its URL, token and chat)",
        _ => null,
    };
}
