using System.Net.Http.Headers;

namespace KrxSignal.Worker.Http;

/// <summary>
/// Reads a <c>Retry-After</c> header in either form (seconds or an HTTP date) as a wait from now, clamped to
/// <c>[0, max]</c>: a receiver asking for an hour must not park a slot for an hour, and a date in the past means now.
/// </summary>
internal static class RetryAfter
{
    /// <returns>The wait, or null when the header is absent or empty.</returns>
    public static TimeSpan? Read(RetryConditionHeaderValue? header, DateTimeOffset now, TimeSpan max)
    {
        var asked = header switch
        {
            { Delta: { } delta } => delta,
            { Date: { } date } => date - now,
            _ => (TimeSpan?)null,
        };
        return asked is { } wait ? Clamp(wait, max) : null;
    }

    /// <summary>A wait given in seconds by a body field (Telegram's <c>parameters.retry_after</c>), clamped the same way.</summary>
    public static TimeSpan FromSeconds(int seconds, TimeSpan max) => Clamp(TimeSpan.FromSeconds(seconds), max);

    private static TimeSpan Clamp(TimeSpan wait, TimeSpan max) =>
        wait < TimeSpan.Zero ? TimeSpan.Zero : wait > max ? max : wait;
}
