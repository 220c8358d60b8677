using KrxSignal.Worker.Notify.Outbox;
using Microsoft.Extensions.Logging;

namespace KrxSignal.Worker.Notify.Delivery;

/// <summary>The delivery run's log lines, in one place so the wording of each outcome is consistent.</summary>
internal sealed partial class DeliveryLog(ILogger<DeliveryLog> logger)
{
    public void Delivered(OutboxMessage message, string channel, int attempt, TimeSpan? late)
    {
        if (late is { } by)
        {
            LateDelivered(logger, message.NotificationId, message.Kind, channel, attempt, by.TotalMinutes);
        }
        else
        {
            Delivered(logger, message.NotificationId, message.Kind, channel, attempt);
        }
    }

    public void AttemptFailed(OutboxMessage message, string channel, int attempt, int maxAttempts, string error, DateTimeOffset next) =>
        AttemptFailed(logger, message.NotificationId, message.Kind, channel, attempt, maxAttempts, error, next);

    public void GaveUp(OutboxMessage message, string channel, int attempts, string error) =>
        GaveUp(logger, message.NotificationId, message.Kind, channel, attempts, error);

    public void Rejected(OutboxMessage message, string channel, string error) => Rejected(logger, message.NotificationId, message.Kind, channel, error);

    public void Disabled(string channel, string error) => Disabled(logger, channel, error);

    public void Blocked(string channel, string error, DateTimeOffset probe) => Blocked(logger, channel, error, probe);

    public void ReEnabled(string channel) => ReEnabled(logger, channel);

    public void Expired(int count) => Expired(logger, count);

    public void Summary(string summary) => Summary(logger, summary);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Notification {NotificationId} ({Kind}) delivered by {Channel} on attempt {Attempt}")]
    private static partial void Delivered(ILogger logger, long notificationId, string kind, string channel, int attempt);

    [LoggerMessage(Level = LogLevel.Information, Message = "Notification {NotificationId} ({Kind}) delivered by {Channel} on attempt {Attempt}, {LateMinutes:0} min after it was made")]
    private static partial void LateDelivered(ILogger logger, long notificationId, string kind, string channel, int attempt, double lateMinutes);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Notification {NotificationId} ({Kind}) not delivered by {Channel}, attempt {Attempt} of {MaxAttempts}: {Error}. Next attempt at {NextAttemptAt:o}")]
    private static partial void AttemptFailed(ILogger logger, long notificationId, string kind, string channel, int attempt, int maxAttempts, string error, DateTimeOffset nextAttemptAt);

    [LoggerMessage(Level = LogLevel.Error, Message = "Notification {NotificationId} ({Kind}) FAILED on {Channel} after {Attempts} attempts, last error: {Error}. It stays in the notifications table with status 'failed'")]
    private static partial void GaveUp(ILogger logger, long notificationId, string kind, string channel, int attempts, string error);

    [LoggerMessage(Level = LogLevel.Error, Message = "Notification {NotificationId} ({Kind}) REJECTED by {Channel}: {Error}. It is set aside with status 'failed'; the messages after it go on")]
    private static partial void Rejected(ILogger logger, long notificationId, string kind, string channel, string error);

    [LoggerMessage(Level = LogLevel.Error, Message = "Notification channel {Channel} DISABLED: the receiver answered {Error}. Its messages wait; change its address or run `Worker notify resume` with its name")]
    private static partial void Disabled(ILogger logger, string channel, string error);

    [LoggerMessage(Level = LogLevel.Error, Message = "Notification channel {Channel} is unhealthy: {Error}. Its messages wait; check its URL, token or chat; next probe at {ProbeAt:o}")]
    private static partial void Blocked(ILogger logger, string channel, string error, DateTimeOffset probeAt);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Notification channel {Channel} was disabled by a 410 for another address; its address changed, so it is enabled again")]
    private static partial void ReEnabled(ILogger logger, string channel);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Count} notification deliveries expired undelivered (Notify:MaxAge): their news is stale, so they are not sent late")]
    private static partial void Expired(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Information, Message = "Deliver: {Summary}")]
    private static partial void Summary(ILogger logger, string summary);
}
