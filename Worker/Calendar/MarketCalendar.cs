namespace KrxSignal.Worker.Calendar;

/// <summary>
/// When KRX trades, from holidays.json: the session of any date and the phase at any instant, in KST.
/// A weekday of an uncovered year is treated as a normal trading day (polling is better than silence),
/// and <see cref="CoverageAt"/> says loudly that the year is unknown.
/// </summary>
internal sealed class MarketCalendar
{
    private readonly Dictionary<DateOnly, ClosedDay> _closed;
    private readonly Dictionary<DateOnly, SpecialSession> _special;

    public MarketCalendar(string sourcePath, TimeZoneInfo timeZone, IEnumerable<CalendarYear> years)
    {
        SourcePath = sourcePath;
        TimeZone = timeZone;
        Years = years.OrderBy(y => y.Year).ToDictionary(y => y.Year);
        _closed = Years.Values.SelectMany(y => y.Closed).ToDictionary(c => c.Date);
        _special = Years.Values.SelectMany(y => y.Special).ToDictionary(s => s.Date);
    }

    public string SourcePath { get; }

    public TimeZoneInfo TimeZone { get; }

    public IReadOnlyDictionary<int, CalendarYear> Years { get; }

    public IEnumerable<ClosedDay> ClosedDays => _closed.Values.OrderBy(c => c.Date);

    public IEnumerable<SpecialSession> SpecialSessions => _special.Values.OrderBy(s => s.Date);

    public bool IsCovered(int year) => Years.ContainsKey(year);

    public DateOnly DateAt(DateTimeOffset instant) => DateOnly.FromDateTime(ToKst(instant).DateTime);

    public DateTimeOffset ToKst(DateTimeOffset instant) => TimeZoneInfo.ConvertTime(instant, TimeZone);

    /// <summary>Why the market is closed on <paramref name="date"/>, or null when it trades.</summary>
    public string? ClosedReason(DateOnly date) =>
        date.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday ? "weekend"
        : _closed.TryGetValue(date, out var closed) ? closed.Name
        : null;

    public TradingSession? SessionOn(DateOnly date)
    {
        if (ClosedReason(date) is not null)
        {
            return null;
        }

        return _special.TryGetValue(date, out var special)
            ? new TradingSession(date, special.Open, special.Close, special.Name)
            : new TradingSession(date, MarketWindows.NormalOpen, MarketWindows.NormalClose, null);
    }

    /// <summary>pre-market, regular, post-market or closed.</summary>
    public string PhaseAt(DateTimeOffset instant)
    {
        var local = ToKst(instant);
        if (SessionOn(DateOnly.FromDateTime(local.DateTime)) is not { } session)
        {
            return MarketWindows.Closed;
        }

        var time = TimeOnly.FromDateTime(local.DateTime);
        return MarketWindows.For(session.Open, session.Close).FirstOrDefault(w => w.Contains(time))?.Name ?? MarketWindows.Closed;
    }

    /// <summary>The coverage problems at <paramref name="now"/>: the current year, and any year the next 30 days reach.</summary>
    public CalendarCoverage CoverageAt(DateTimeOffset now)
    {
        var today = DateAt(now);
        var currentMissing = !IsCovered(today.Year);
        var warnings = new List<string>();
        if (currentMissing)
        {
            warnings.Add($"{SourcePath} does not cover {today.Year}: holidays are unknown, every weekday is treated as a trading day. Add {today.Year} to the file");
        }

        var horizon = today.AddDays(30);
        for (var year = today.Year + 1; year <= horizon.Year; year++)
        {
            if (!IsCovered(year))
            {
                warnings.Add($"{SourcePath} does not cover {year}, which starts within 30 days: add it before {year}-01-01");
            }
        }

        return new CalendarCoverage(currentMissing, warnings);
    }
}

/// <param name="CurrentYearMissing">Doctor fails and the heartbeat is degraded.</param>
internal sealed record CalendarCoverage(bool CurrentYearMissing, IReadOnlyList<string> Warnings);
