using KrxSignal.Worker.Calendar;

namespace KrxSignal.Worker.Tests.Calendar;

internal static class TestCalendars
{
    public static readonly TimeZoneInfo Kst = MarketTimeZone.Kst;

    private static readonly Lazy<MarketCalendar> LazyShipped = new(() =>
    {
        var path = Path.Combine(AppContext.BaseDirectory, "holidays.json");
        return HolidayFileParser.Parse(path, File.ReadAllBytes(path), Kst);
    });

    /// <summary>The holidays.json the release ships (copied to the test output).</summary>
    public static MarketCalendar Shipped => LazyShipped.Value;

    public static DateTimeOffset At(int year, int month, int day, int hour = 0, int minute = 0) =>
        new(year, month, day, hour, minute, 0, TimeSpan.FromHours(9));
}
