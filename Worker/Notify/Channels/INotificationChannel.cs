using KrxSignal.Worker.Notify.Outbox;

namespace KrxSignal.Worker.Notify.Channels;

/// <summary>One way a message reaches a person. Implementations turn every failure into a <see cref="DeliveryResult"/>.</summary>
public interface INotificationChannel
{
    /// <summary>"webhook" or "telegram": the deliveries.channel value.</summary>
    string Name { get; }

    bool IsConfigured { get; }

    Task<DeliveryResult> SendAsync(OutboxMessage message, CancellationToken cancellationToken);
}

/// <param name="Error">Why it failed, safe to log and store (no secrets, no URLs).</param>
/// <param name="RetryAfter">How long the receiver asked us to wait, when it said so.</param>
public sealed record DeliveryResult(bool Delivered, string? Error = null, TimeSpan? RetryAfter = null)
{
    public static DeliveryResult Success { get; } = new(true);

    public static DeliveryResult Failure(string error, TimeSpan? retryAfter = null) => new(false, error, retryAfter);
}
