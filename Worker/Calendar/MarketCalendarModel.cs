namespace KrxSignal.Worker.Calendar;

/// <summary>announced: officially set and confirmed; expected: follows from the rules, not yet announced.</summary>
internal enum EntryStatus
{
    Announced,
    Expected,
}

/// <summary>A weekday on which KRX does not trade.</summary>
internal sealed record ClosedDay(DateOnly Date, string Name, EntryStatus Status, string? Note = null);

/// <summary>A trading day with a shifted regular session (first trading day, college entrance exam day).</summary>
internal sealed record SpecialSession(DateOnly Date, TimeOnly Open, TimeOnly Close, string Name, EntryStatus Status, string? Note = null);

/// <summary>One covered year. A year absent from the file is unknown, not holiday-free.</summary>
internal sealed record CalendarYear(int Year, EntryStatus Status, IReadOnlyList<ClosedDay> Closed, IReadOnlyList<SpecialSession> Special);

/// <summary>The regular session of one trading day, in KST.</summary>
internal sealed record TradingSession(DateOnly Date, TimeOnly Open, TimeOnly Close, string? SpecialName)
{
    public bool IsSpecial => SpecialName is not null;
}
