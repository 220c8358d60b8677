using System.Globalization;
using System.Text.Json;

namespace KrxSignal.Worker.Calendar;

/// <summary>The flat list of the earlier worker, and the token reading that names the line of every problem.</summary>
internal sealed partial class HolidayFileParser
{
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
}
