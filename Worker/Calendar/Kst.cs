using System.Globalization;

namespace KrxSignal.Worker.Calendar;

/// <summary>
/// Korea Standard Time as a fixed offset: UTC+9 all year (Korea has kept no daylight saving since 1988).
/// The one place that knows it; the calendar's <see cref="MarketTimeZone"/> is the zone Quartz needs.
/// </summary>
internal static class Kst
{
    public static readonly TimeSpan Offset = TimeSpan.FromHours(9);

    public static DateTimeOffset ToKst(this DateTimeOffset instant) => instant.ToOffset(Offset);

    /// <summary>The calendar date in Korea of <paramref name="instant"/>.</summary>
    public static DateOnly DateOf(DateTimeOffset instant) => DateOnly.FromDateTime(instant.ToOffset(Offset).DateTime);

    /// <summary>The KST date as <c>yyyy-MM-dd</c>: the budget's day and the operator's day.</summary>
    public static string DayOf(DateTimeOffset instant) => instant.ToOffset(Offset).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    /// <summary>KST midnight at the start of <paramref name="day"/>.</summary>
    public static DateTimeOffset StartOf(DateOnly day) => new(day.ToDateTime(TimeOnly.MinValue), Offset);

    /// <summary>A wall-clock time on a KST day.</summary>
    public static DateTimeOffset At(DateOnly day, TimeOnly time) => new(day.ToDateTime(time), Offset);
}
