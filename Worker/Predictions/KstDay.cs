using System.Globalization;

namespace KrxSignal.Worker.Predictions;

/// <summary>The budget's day: the calendar date in Korea (UTC+9 all year; Korea has kept no daylight saving since 1988).</summary>
public static class KstDay
{
    public static readonly TimeSpan Offset = TimeSpan.FromHours(9);

    public static string Of(DateTimeOffset instant) =>
        instant.ToOffset(Offset).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    /// <summary>The next KST midnight after <paramref name="instant"/>, when a spent budget resets.</summary>
    public static DateTimeOffset NextMidnight(DateTimeOffset instant)
    {
        var local = instant.ToOffset(Offset);
        return new DateTimeOffset(local.Date.AddDays(1), Offset);
    }
}
