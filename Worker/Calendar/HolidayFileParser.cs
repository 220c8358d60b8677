using System.Globalization;
using System.Text;
using System.Text.Json;

namespace KrxSignal.Worker.Calendar;

/// <summary>
/// Reads holidays.json strictly, and names the file, the line and the problem on any error: an
/// unknown key, a missing date or a weekend "holiday" is more likely a typo than a wish.
/// Two shapes are accepted: the structured object (docs/calendar.md), and the flat list of
/// "yyyy-MM-dd" strings of the earlier Python worker (whose years count as covered; it has no
/// special sessions, and weekend dates in it are ignored).
/// </summary>
internal sealed partial class HolidayFileParser
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
}
