using KrxSignal.Worker.Calendar;
using Microsoft.Extensions.Options;

namespace KrxSignal.Worker.Notify.Outbox;

/// <summary>
/// When a message stops being worth sending. A signal is about its trading day: by default it expires at the end of
/// that day's post-market window (20:00 KST), the trading day being the first one, by the market calendar, whose
/// window has not ended when the signal is made. Notify:MaxAge replaces that with a fixed age. Digests never expire.
/// </summary>
internal sealed class MessageExpiry(IOptions<NotifyOptions> options, MarketCalendarSource? calendar = null)
{
    public DateTimeOffset? For(string kind, DateTimeOffset createdAt)
    {
        if (kind != "signal")
        {
            return null;
        }

        if (options.Value.MaxAge is { } maxAge)
        {
            return createdAt + maxAge;
        }

        var loaded = calendar?.Loaded;
        var day = Kst.DateOf(createdAt);
        for (var i = 0; i < 30; i++, day = day.AddDays(1))
        {
            var trades = loaded is not null ? loaded.SessionOn(day) is not null : day.DayOfWeek is not (DayOfWeek.Saturday or DayOfWeek.Sunday);
            var end = Kst.At(day, MarketWindows.PostMarketEnd);
            if (trades && end > createdAt)
            {
                return end;
            }
        }

        return Kst.At(Kst.DateOf(createdAt).AddDays(1), MarketWindows.PostMarketEnd); // a calendar with a month closed: a day's grace
    }
}
