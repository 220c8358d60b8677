using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using KrxSignal.Worker.Calendar;

namespace KrxSignal.Worker.Replay;

/// <summary>Reads and writes replay files: UTF-8 JSON Lines, one <see cref="ReplayRecord"/> a line, in time order.</summary>
internal static class ReplayFile
{
    // The source-generated contract, not reflection: reading a day's lines then costs neither emitted accessors nor the
    // reflection serializer's metadata (both stayed resident for the whole replay).
    private static readonly JsonTypeInfo<ReplayRecord> Record = (JsonTypeInfo<ReplayRecord>)new JsonSerializerOptions
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        TypeInfoResolver = ReplayJsonContext.Default,
    }.GetTypeInfo(typeof(ReplayRecord));

    public static readonly IReadOnlySet<string> Endpoints = new HashSet<string>(StringComparer.Ordinal) { "portfolio", "news-sentiment", "screener" };

    /// <exception cref="InvalidDataException">A line is not a valid record; the message names the file and line.</exception>
    public static async Task<IReadOnlyList<ReplayRecord>> ReadAsync(string path, CancellationToken cancellationToken)
    {
        var records = new List<ReplayRecord>();
        await foreach (var day in ReadDaysAsync(path, cancellationToken))
        {
            records.AddRange(day.Records);
        }

        return records;
    }

    /// <summary>
    /// The file one KST day at a time, each day's records in time order, so a recording of many days is never held
    /// whole. Days must follow one another (as export-recording writes them); within a day any order is accepted.
    /// </summary>
    /// <exception cref="InvalidDataException">A line is not a valid record, or goes back to an earlier day; the message names the file and line.</exception>
    public static async IAsyncEnumerable<ReplayDayRecords> ReadDaysAsync(string path, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var current = new List<ReplayRecord>();
        DateOnly? day = null;
        var lineNumber = 0;
        await foreach (var line in File.ReadLinesAsync(path, cancellationToken))
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            var record = Parse(line, path, lineNumber);
            var recordDay = Kst.DateOf(record.Time);
            if (day is { } open && recordDay != open)
            {
                if (recordDay < open)
                {
                    throw new InvalidDataException($"{path}:{lineNumber}: {record.Time:yyyy-MM-dd'T'HH:mm:sszzz} is on {recordDay:yyyy-MM-dd}, after lines of {open:yyyy-MM-dd}: the days of a replay file must be in time order");
                }

                yield return new ReplayDayRecords(open, [.. current.OrderBy(r => r.Time)]);
                current.Clear();
            }

            day = recordDay;
            current.Add(record);
        }

        if (day is { } last)
        {
            yield return new ReplayDayRecords(last, [.. current.OrderBy(r => r.Time)]);
        }
    }

    public static async Task WriteAsync(Stream output, IEnumerable<ReplayRecord> records, CancellationToken cancellationToken)
    {
        await using var writer = new StreamWriter(output, new System.Text.UTF8Encoding(false), leaveOpen: true) { NewLine = "\n" };
        foreach (var record in records.OrderBy(r => r.Time))
        {
            await writer.WriteLineAsync(JsonSerializer.Serialize(record, Record).AsMemory(), cancellationToken);
        }
    }

    /// <summary>Writes records already in time order as they arrive, one line each; returns how many were written.</summary>
    public static async Task<int> WriteInOrderAsync(Stream output, IAsyncEnumerable<ReplayRecord> records, CancellationToken cancellationToken)
    {
        await using var writer = new StreamWriter(output, new System.Text.UTF8Encoding(false), leaveOpen: true) { NewLine = "\n" };
        var count = 0;
        await foreach (var record in records.WithCancellation(cancellationToken))
        {
            await writer.WriteLineAsync(JsonSerializer.Serialize(record, Record).AsMemory(), cancellationToken);
            count++;
        }

        return count;
    }

    private static ReplayRecord Parse(string line, string path, int lineNumber)
    {
        ReplayRecord? record;
        try
        {
            record = JsonSerializer.Deserialize(line, Record);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}:{lineNumber}: not a replay record: {e.Message}", e);
        }

        return Validate(record, path, lineNumber);
    }

    private static ReplayRecord Validate(ReplayRecord? record, string path, int line)
    {
        var problem = record switch
        {
            null => "empty record",
            { Endpoint: var e } when !Endpoints.Contains(e) => $"unknown endpoint '{e}' (expected portfolio, news-sentiment or screener)",
            { Status: null, Failure: null } => "neither a status nor a failure",
            { Failure: { } f } when f is not (ReplayRecord.Failures.Timeout or ReplayRecord.Failures.Connection) => $"unknown failure '{f}' (expected timeout or connection)",
            _ => null,
        };
        return problem is null ? record! : throw new InvalidDataException($"{path}:{line}: {problem}");
    }
}

[JsonSerializable(typeof(ReplayRecord))]
internal sealed partial class ReplayJsonContext : JsonSerializerContext;
