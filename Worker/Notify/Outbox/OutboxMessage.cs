namespace KrxSignal.Worker.Notify.Outbox;

/// <summary>One message claimed for one channel, as the delivery loop sends it.</summary>
/// <param name="Attempts">Attempts made before this one.</param>
/// <param name="ExpiresAt">Not to be sent after this; null: it never expires.</param>
internal sealed record OutboxMessage(
    long NotificationId,
    string Kind,
    string IdempotencyKey,
    string Payload,
    string Text,
    int Attempts,
    DateTimeOffset CreatedAt,
    DateTimeOffset? ExpiresAt = null)
{
    /// <summary>How late this message is at <paramref name="now"/>, when it has already failed more than once: a late message says so.</summary>
    public TimeSpan? LateBy(DateTimeOffset now) => Attempts >= 2 && now > CreatedAt ? now - CreatedAt : null;
}

/// <summary>A message ready to be queued: its body and Telegram text, frozen from now on.</summary>
internal sealed record NewMessage(string Kind, long? SignalId, string? ArticleId, string IdempotencyKey, string Payload, string Text, DateTimeOffset CreatedAt);

// Rows read by Dapper are records with init properties: Dapper then converts INTEGER to int and reads times
// through the UTC type handler, which a positional constructor would not.

/// <summary>What the heartbeat and `status` show of the outbox; Failed and Expired count messages settled since the asked instant.</summary>
internal sealed record OutboxCounts
{
    public int Pending { get; init; }

    public DateTimeOffset? OldestPending { get; init; }

    public int Failed { get; init; }

    public int Expired { get; init; }
}

/// <summary>A notify_channels row: a channel that answered something other than success or a transient failure.</summary>
internal sealed record ChannelState
{
    public const string Active = "active";
    public const string Disabled = "disabled";
    public const string Blocked = "blocked";
    public const string Held = "held";

    public string Channel { get; init; } = "";

    public string State { get; init; } = "";

    public string? Reason { get; init; }

    /// <summary>SHA-256 of the address the state was recorded for.</summary>
    public string? Target { get; init; }

    public DateTimeOffset Since { get; init; }

    public DateTimeOffset? RetryAt { get; init; }
}

/// <summary>A claimed delivery joined with its message, as read back after the claim.</summary>
internal sealed record ClaimedRow
{
    public long NotificationId { get; init; }

    public string Kind { get; init; } = "";

    public string IdempotencyKey { get; init; } = "";

    public string Payload { get; init; } = "";

    public string Text { get; init; } = "";

    public int Attempts { get; init; }

    public DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset? ExpiresAt { get; init; }

    public OutboxMessage ToMessage() => new(NotificationId, Kind, IdempotencyKey, Payload, Text, Attempts, CreatedAt, ExpiresAt);
}
