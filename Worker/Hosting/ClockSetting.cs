using System.Globalization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace KrxSignal.Worker.Hosting;

/// <summary>
/// <c>Clock:StartAt</c> (an ISO 8601 instant with its offset): when set, the process's clock starts there instead of
/// now. Meant for rehearsing a trading day outside market hours; unset in production.
/// </summary>
internal static class ClockSetting
{
    public const string Key = "Clock:StartAt";

    public static TimeProvider Create(IConfiguration configuration)
    {
        var text = configuration[Key];
        if (string.IsNullOrWhiteSpace(text))
        {
            return TimeProvider.System;
        }

        if (!DateTimeOffset.TryParseExact(text.Trim(), ["yyyy-MM-dd'T'HH:mm:ssK", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK"], CultureInfo.InvariantCulture, DateTimeStyles.None, out var start))
        {
            throw new OptionsValidationException(Key, typeof(TimeProvider), [$"{Key} must be an ISO 8601 instant with its offset, e.g. 2026-11-24T10:10:40+09:00"]);
        }

        return ShiftedTimeProvider.StartingAt(start);
    }
}
