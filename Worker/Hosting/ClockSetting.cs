using System.Globalization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace KrxSignal.Worker.Hosting;

/// <summary>
/// <c>Clock:StartAt</c> (an ISO 8601 instant with its offset): when set, the process's clock starts there instead of
/// now. Meant for rehearsing a trading day outside market hours; unset in production. <c>Clock:StartAtRealTime</c>
/// (optional, same format) is the real instant that corresponds to <c>Clock:StartAt</c>: without it that is the moment
/// the process starts, so two processes started a second apart disagree by a second; with it every process given the
/// same pair runs on the same shifted clock — what a rehearsal of a cluster needs, whose nodes must agree to well
/// under a second.
/// </summary>
internal static class ClockSetting
{
    public const string Key = "Clock:StartAt";
    public const string RealTimeKey = "Clock:StartAtRealTime";

    public static TimeProvider Create(IConfiguration configuration)
    {
        var text = configuration[Key];
        if (string.IsNullOrWhiteSpace(text))
        {
            return TimeProvider.System;
        }

        var start = Parse(Key, text, "2026-11-24T10:10:40+09:00");
        var real = configuration[RealTimeKey];
        return string.IsNullOrWhiteSpace(real)
            ? ShiftedTimeProvider.StartingAt(start)
            : new ShiftedTimeProvider(start - Parse(RealTimeKey, real, "2026-12-01T12:00:00Z"));
    }

    private static DateTimeOffset Parse(string key, string text, string example)
    {
        if (!DateTimeOffset.TryParseExact(text.Trim(), ["yyyy-MM-dd'T'HH:mm:ssK", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK"], CultureInfo.InvariantCulture, DateTimeStyles.None, out var instant))
        {
            throw new OptionsValidationException(key, typeof(TimeProvider), [$"{key} must be an ISO 8601 instant with its offset, e.g. {example}"]);
        }

        return instant;
    }
}
