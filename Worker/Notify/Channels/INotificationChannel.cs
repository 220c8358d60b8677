using KrxSignal.Worker.Notify.Outbox;

namespace KrxSignal.Worker.Notify.Channels;

/// <summary>One way a message reaches a person. Implementations turn every failure into a <see cref="DeliveryResult"/>.</summary>
internal interface INotificationChannel
{
    /// <summary>"webhook" or "telegram": the deliveries.channel value.</summary>
    string Name { get; }

    bool IsConfigured { get; }

    /// <summary>SHA-256 of where this channel sends to: a 410 disables the channel for this address only.</summary>
    string Target { get; }

    Task<DeliveryResult> SendAsync(OutboxMessage message, CancellationToken cancellationToken);
}
