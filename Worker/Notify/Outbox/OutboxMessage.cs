namespace KrxSignal.Worker.Notify.Outbox;

/// <summary>One message waiting for one channel, as the delivery loop reads it.</summary>
public sealed record OutboxMessage(
    long NotificationId,
    string Kind,
    string IdempotencyKey,
    string Payload,
    string Text,
    int Attempts,
    DateTimeOffset? NextAttemptAt);

/// <summary>A message ready to be queued: its body and Telegram text, frozen from now on.</summary>
public sealed record NewMessage(string Kind, long? SignalId, string? ArticleId, string IdempotencyKey, string Payload, string Text, DateTimeOffset CreatedAt);
