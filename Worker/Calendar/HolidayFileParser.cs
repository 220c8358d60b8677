using System.Globalization;
using System.Text;
using System.Text.Json;

namespace KrxSignal.Worker.Calendar;

/// <summary>
/// Reads holidays.json strictly, and names the file, the line and the problem on any error: an
/// unknown key, a missing date or a weekend "holiday" is more likely a typo than a wish.
/// Two shapes are accepted: the structured object of docs/calendar.md, and the flat list of
/// "yyyy-MM-dd" strings of the earlier Python worker (whose years count as covered; it has no
/// special sessions, and weekend dates in it are ignored).
/// </summary>
public sealed class HolidayFileParser
{
    private readonly string _path;
    private readonly byte[] _bytes;
    private readonly TimeZoneInfo _zone;

    private HolidayFileParser(string path, byte[] bytes, TimeZoneInfo zone)
    {
        _path = path;
        _bytes = bytes;
        _zone = zone;
    }

    public static async Task<MarketCalendar> LoadAsync(string path, CancellationToken cancellationToken)
    {
        byte[] bytes;
        try
        {
            bytes = await File.ReadAllBytesAsync(path, cancellationToken);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CalendarConfigurationException($"Cannot read the market calendar {path}: {e.Message}", e);
        }

        return Parse(path, bytes, MarketTimeZone.Kst);
    }

    public static MarketCalendar Parse(string path, byte[] bytes, TimeZoneInfo zone) => new HolidayFileParser(path, bytes, zone).Parse();

    private MarketCalendar Parse()
    {
        var span = _bytes.AsSpan();
        var start = span.StartsWith(Encoding.UTF8.Preamble) ? Encoding.UTF8.Preamble.Length : 0;
        var reader = new Utf8JsonReader(span[start..], new JsonReaderOptions { CommentHandling = JsonCommentHandling.Disallow });
        try
        {
            Next(ref reader, start);
            var years = reader.TokenType switch
            {
                JsonTokenType.StartObject => ReadStructured(ref reader, start),
                JsonTokenType.StartArray => ReadFlatList(ref reader, start),
                _ => throw Fail(ref reader, start, "the file must be a JSON object with \"years\" (or a list of \"yyyy-MM-dd\" dates)"),
            };
            if (reader.Read())
            {
                throw Fail(ref reader, start, "unexpected content after the end of the calendar");
            }

            return new MarketCalendar(_path, _zone, years);
        }
        catch (JsonException e)
        {
            // The reader's own syntax errors carry a 0-based line; its message repeats the position, which we already give.
            var problem = e.Message.Split(" LineNumber:", 2)[0].TrimEnd('.', ' ');
            throw CalendarConfigurationException.InFile(_path, (int)(e.LineNumber ?? 0) + 1, $"invalid JSON: {problem}", e);
        }
    }

    private List<CalendarYear> ReadStructured(ref Utf8JsonReader reader, int start)
    {
        List<CalendarYear>? years = null;
        var objectStart = reader.TokenStartIndex;
        while (NextProperty(ref reader, start) is { } name)
        {
            switch (name)
            {
                case "timeZone":
                    var zone = ReadString(ref reader, start, name);
                    if (!MarketTimeZone.IsKstId(zone))
                    {
                        throw Fail(ref reader, start, $"timeZone must be \"{MarketTimeZone.IanaId}\" (or \"{MarketTimeZone.WindowsId}\"): KRX trades in KST, not \"{zone}\"");
                    }

                    break;
                case "sources":
                    Next(ref reader, start);
                    Expect(ref reader, start, JsonTokenType.StartArray, "sources must be a list of strings");
                    while (Next(ref reader, start) != JsonTokenType.EndArray)
                    {
                        Expect(ref reader, start, JsonTokenType.String, "sources must be a list of strings");
                    }

                    break;
                case "years":
                    years = ReadYears(ref reader, start);
                    break;
                default:
                    throw Fail(ref reader, start, $"unknown key \"{name}\" (expected timeZone, sources, years)");
            }
        }

        return years ?? throw FailAt(objectStart + start, "the key \"years\" is missing");
    }

    private List<CalendarYear> ReadYears(ref Utf8JsonReader reader, int start)
    {
        Next(ref reader, start);
        Expect(ref reader, start, JsonTokenType.StartObject, "years must be an object keyed by year (\"2026\": { ... })");
        var years = new List<CalendarYear>();
        while (NextProperty(ref reader, start) is { } key)
        {
            if (key.Length != 4 || !int.TryParse(key, NumberStyles.None, CultureInfo.InvariantCulture, out var year) || year < 2000 || year > 2100)
            {
                throw Fail(ref reader, start, $"\"{key}\" is not a year (yyyy, 2000-2100)");
            }

            if (years.Any(y => y.Year == year))
            {
                throw Fail(ref reader, start, $"the year {year} appears twice");
            }

            years.Add(ReadYear(ref reader, start, year));
        }

        return years;
    }

    private CalendarYear ReadYear(ref Utf8JsonReader reader, int start, int year)
    {
        Next(ref reader, start);
        Expect(ref reader, start, JsonTokenType.StartObject, $"the year {year} must be an object with closed and special lists");
        var status = EntryStatus.Announced;
        var closed = new List<ClosedDay>();
        var special = new List<SpecialSession>();
        var seen = new HashSet<DateOnly>();
        while (NextProperty(ref reader, start) is { } name)
        {
            switch (name)
            {
                case "status":
                    status = ReadStatus(ref reader, start);
                    break;
                case "note":
                    ReadString(ref reader, start, name);
                    break;
                case "closed":
                    ReadList(ref reader, start, name, (ref Utf8JsonReader r) => closed.Add(ReadClosed(ref r, start, year, status, seen)));
                    break;
                case "special":
                    ReadList(ref reader, start, name, (ref Utf8JsonReader r) => special.Add(ReadSpecial(ref r, start, year, status, seen)));
                    break;
                default:
                    throw Fail(ref reader, start, $"unknown key \"{name}\" in {year} (expected status, note, closed, special)");
            }
        }

        return new CalendarYear(year, status, closed, special);
    }

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

    private List<CalendarYear> ReadFlatList(ref Utf8JsonReader reader, int start)
    {
        var dates = new SortedSet<DateOnly>();
        while (Next(ref reader, start) != JsonTokenType.EndArray)
        {
            Expect(ref reader, start, JsonTokenType.String, "a flat calendar must be a list of \"yyyy-MM-dd\" strings");
            var text = reader.GetString()!;
            if (!DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
            {
                throw Fail(ref reader, start, $"\"{text}\" is not a date (yyyy-MM-dd)");
            }

            if (!dates.Add(date))
            {
                throw Fail(ref reader, start, $"{text} is listed twice");
            }
        }

        return dates.GroupBy(d => d.Year)
            .Select(g => new CalendarYear(
                g.Key,
                EntryStatus.Announced,
                g.Where(d => d.DayOfWeek is not (DayOfWeek.Saturday or DayOfWeek.Sunday)).Select(d => new ClosedDay(d, "closed", EntryStatus.Announced)).ToList(),
                []))
            .ToList();
    }

    private delegate void ItemReader(ref Utf8JsonReader reader);

    private void ReadList(ref Utf8JsonReader reader, int start, string name, ItemReader item)
    {
        Next(ref reader, start);
        Expect(ref reader, start, JsonTokenType.StartArray, $"{name} must be a list");
        while (Next(ref reader, start) != JsonTokenType.EndArray)
        {
            item(ref reader);
        }
    }

    private EntryStatus ReadStatus(ref Utf8JsonReader reader, int start) =>
        ReadString(ref reader, start, "status") switch
        {
            "announced" => EntryStatus.Announced,
            "expected" => EntryStatus.Expected,
            var other => throw Fail(ref reader, start, $"status must be \"announced\" or \"expected\", not \"{other}\""),
        };

    private TimeOnly ReadTime(ref Utf8JsonReader reader, int start, string name)
    {
        var text = ReadString(ref reader, start, name);
        return TimeOnly.TryParseExact(text, "HH:mm", CultureInfo.InvariantCulture, DateTimeStyles.None, out var time)
            ? time
            : throw Fail(ref reader, start, $"{name} \"{text}\" is not a time (HH:mm, KST)");
    }

    private string ReadString(ref Utf8JsonReader reader, int start, string name)
    {
        Next(ref reader, start);
        Expect(ref reader, start, JsonTokenType.String, $"{name} must be a string");
        return reader.GetString()!;
    }

    /// <summary>The next property name of the current object, or null at its end.</summary>
    private string? NextProperty(ref Utf8JsonReader reader, int start) =>
        Next(ref reader, start) == JsonTokenType.EndObject ? null : reader.GetString();

    private JsonTokenType Next(ref Utf8JsonReader reader, int start) =>
        reader.Read() ? reader.TokenType : throw Fail(ref reader, start, "the file ends too early");

    private void Expect(ref Utf8JsonReader reader, int start, JsonTokenType type, string problem)
    {
        if (reader.TokenType != type)
        {
            throw Fail(ref reader, start, problem);
        }
    }

    private CalendarConfigurationException Fail(ref Utf8JsonReader reader, int start, string problem) =>
        FailAt(reader.TokenStartIndex + start, problem);

    private CalendarConfigurationException FailAt(long offset, string problem) =>
        CalendarConfigurationException.InFile(_path, LineAt(offset), problem);

    private int LineAt(long offset)
    {
        var end = (int)Math.Min(offset, _bytes.Length);
        return _bytes.AsSpan(0, end).Count((byte)'\n') + 1;
    }

    private sealed record Entry(DateOnly Date, string Name, EntryStatus Status, string? Note, TimeOnly? Open, TimeOnly? Close);
}
