namespace KrxSignal.Worker.Calendar;

/// <summary>
/// The KRX market windows, relative to a day's session: pre-market 07:00 → open every
/// 5 minutes, regular open → close every minute, post-market close → 20:00 every 5 minutes.
/// The single definition that the calendar's phases and the scheduler's triggers are both built from.
/// </summary>
public static class MarketWindows
{
    public const string PreMarket = "pre-market";
    public const string Regular = "regular";
    public const string PostMarket = "post-market";
    public const string Closed = "closed";

    public static readonly TimeOnly PreMarketStart = new(7, 0);
    public static readonly TimeOnly PostMarketEnd = new(20, 0);
    public static readonly TimeOnly NormalOpen = new(9, 0);
    public static readonly TimeOnly NormalClose = new(15, 30);

    public const int ExtendedCadenceMinutes = 5;
    public const int RegularCadenceMinutes = 1;

    /// <summary>The three polling windows of a session: name, start (inclusive), end (exclusive), cadence.</summary>
    public static IReadOnlyList<MarketWindow> For(TimeOnly open, TimeOnly close) =>
    [
        new(PreMarket, PreMarketStart, open, ExtendedCadenceMinutes),
        new(Regular, open, close, RegularCadenceMinutes),
        new(PostMarket, close, PostMarketEnd, ExtendedCadenceMinutes),
    ];
}

/// <param name="Start">Inclusive.</param>
/// <param name="End">Exclusive.</param>
/// <param name="CadenceMinutes">Polls fall on the clock: minutes of the day divisible by the cadence.</param>
public sealed record MarketWindow(string Name, TimeOnly Start, TimeOnly End, int CadenceMinutes)
{
    public bool Contains(TimeOnly time) => time >= Start && time < End;
}
