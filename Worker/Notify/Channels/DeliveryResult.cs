namespace KrxSignal.Worker.Notify.Channels;

/// <summary>What an answer means for the message and for the channel.</summary>
internal enum DeliveryVerdict
{
    /// <summary>2xx: the receiver has it.</summary>
    Delivered,

    /// <summary>408, 429, 5xx, a redirect, a timeout or a connection failure: try this message again later.</summary>
    Transient,

    /// <summary>400 and the other 4xx: the receiver refuses this message; it is set aside as failed and the rest go on.</summary>
    Rejected,

    /// <summary>410: the receiver is gone; the channel is disabled until its address changes or it is resumed.</summary>
    Gone,

    /// <summary>401, 403, 404: the channel is misconfigured; its messages wait while it is unhealthy.</summary>
    Blocked,
}

/// <param name="Error">Why it failed, safe to log and store (no secrets, no query strings).</param>
/// <param name="RetryAfter">How long the receiver asked us to wait, when it said so (already clamped).</param>
internal sealed record DeliveryResult(DeliveryVerdict Verdict, string? Error = null, TimeSpan? RetryAfter = null)
{
    public static DeliveryResult Success { get; } = new(DeliveryVerdict.Delivered);

    public bool Delivered => Verdict == DeliveryVerdict.Delivered;

    public static DeliveryResult Failure(string error, TimeSpan? retryAfter = null) => new(DeliveryVerdict.Transient, error, retryAfter);
}
