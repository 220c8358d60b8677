using System.Globalization;
using System.Text.Json;

namespace KrxSignal.Worker.Calendar;

/// <summary>The entries of a year: a closed day or a special session, each checked against the year and the others.</summary>
internal sealed partial class HolidayFileParser
{
    private ClosedDay ReadClosed(ref Utf8JsonReader reader, int start, int year, EntryStatus defaultStatus, HashSet<DateOnly> seen)
    {
        var entry = ReadEntry(ref reader, start, year, defaultStatus, seen, special: false);
        return new ClosedDay(entry.Date, entry.Name, entry.Status, entry.Note);
    }

    private SpecialSession ReadSpecial(ref Utf8JsonReader reader, int start, int year, EntryStatus defaultStatus, HashSet<DateOnly> seen)
    {
        var entry = ReadEntry(ref reader, start, year, defaultStatus, seen, special: true);
        return new SpecialSession(entry.Date, entry.Open!.Value, entry.Close!.Value, entry.Name, entry.Status, entry.Note);
    }

    private Entry ReadEntry(ref Utf8JsonReader reader, int start, int year, EntryStatus defaultStatus, HashSet<DateOnly> seen, bool special)
    {
        var kind = special ? "special session" : "closed day";
        Expect(ref reader, start, JsonTokenType.StartObject, $"each {kind} must be an object with a date");
        var entryStart = reader.TokenStartIndex + start;
        DateOnly? date = null;
        TimeOnly? open = null, close = null;
        string? name = null, note = null;
        var status = defaultStatus;
        while (NextProperty(ref reader, start) is { } key)
        {
            switch (key)
            {
                case "date":
                    var text = ReadString(ref reader, start, key);
                    if (!DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var parsed))
                    {
                        throw Fail(ref reader, start, $"\"{text}\" is not a date (yyyy-MM-dd)");
                    }

                    if (parsed.Year != year)
                    {
                        throw Fail(ref reader, start, $"{text} is listed under {year}");
                    }

                    if (parsed.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday)
                    {
                        throw Fail(ref reader, start, $"{text} is a {parsed.DayOfWeek}: list only weekdays (KRX never trades at weekends)");
                    }

                    if (!seen.Add(parsed))
                    {
                        throw Fail(ref reader, start, $"{text} is listed twice in {year}");
                    }

                    date = parsed;
                    break;
                case "name":
                    name = ReadString(ref reader, start, key);
                    break;
                case "note":
                    note = ReadString(ref reader, start, key);
                    break;
                case "status":
                    status = ReadStatus(ref reader, start);
                    break;
                case "open" or "close" when special:
                    var time = ReadTime(ref reader, start, key);
                    if (key == "open")
                    {
                        open = time;
                    }
                    else
                    {
                        close = time;
                    }

                    break;
                default:
                    throw Fail(ref reader, start, $"unknown key \"{key}\" in a {kind} (expected date, name, status, note{(special ? ", open, close" : "")})");
            }
        }

        if (date is null || string.IsNullOrWhiteSpace(name))
        {
            throw FailAt(entryStart, $"a {kind} in {year} needs both \"date\" and \"name\"");
        }

        if (special)
        {
            if (open is null || close is null)
            {
                throw FailAt(entryStart, $"the special session on {date:yyyy-MM-dd} needs \"open\" and \"close\" (HH:mm)");
            }

            if (open <= MarketWindows.PreMarketStart || close >= MarketWindows.PostMarketEnd || open >= close)
            {
                throw FailAt(entryStart, $"the special session on {date:yyyy-MM-dd} must open after 07:00, close before 20:00, and open before it closes ({open:HH\\:mm}-{close:HH\\:mm})");
            }
        }

        return new Entry(date.Value, name, status, note, open, close);
    }

    private sealed record Entry(DateOnly Date, string Name, EntryStatus Status, string? Note, TimeOnly? Open, TimeOnly? Close);
}
