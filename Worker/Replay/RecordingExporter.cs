using System.Runtime.CompilerServices;
using System.Text.Json;
using Dapper;
using KrxSignal.Worker.Storage;
using KrxSignal.Worker.Calendar;

namespace KrxSignal.Worker.Replay;

/// <summary>Turns the snapshots the live daemon recorded on one KST day into replay records.</summary>
internal sealed class RecordingExporter(Database connections)
{
    /// <summary>
    /// The day's records in time order, read one row at a time from an unbuffered query (the connection stays
    /// open while the caller enumerates), so a long day costs the memory of one snapshot, not of all of them.
    /// </summary>
    public async IAsyncEnumerable<ReplayRecord> ExportAsync(DateOnly day, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var from = Kst.StartOf(day);
        await using var connection = await connections.OpenAsync(cancellationToken);
        // QueryUnbufferedAsync, not QueryAsync with CommandFlags.None: the latter disposes its command before the
        // caller reads, and Microsoft.Data.Sqlite closes the reader with it. It takes no CommandDefinition, so the
        // token goes through WithCancellation; the parameters stay parameters.
        var rows = connection.QueryUnbufferedAsync<SnapshotRow>(
            """
            SELECT endpoint AS Endpoint, fetched_at AS FetchedAt, http_status AS HttpStatus, latency_ms AS LatencyMs, payload AS Payload, error AS Error
            FROM snapshots WHERE fetched_at >= @from AND fetched_at < @to ORDER BY fetched_at, id
            """,
            new { from, to = from.AddDays(1) });
        await foreach (var row in rows.WithCancellation(cancellationToken))
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (ReplayFile.Endpoints.Contains(row.Endpoint))
            {
                yield return ToRecord(row);
            }
        }
    }

    private static ReplayRecord ToRecord(SnapshotRow row)
    {
        var record = new ReplayRecord { Time = row.FetchedAt.ToKst(), Endpoint = row.Endpoint, LatencyMs = row.LatencyMs };
        if (row.HttpStatus is null)
        {
            // No answer came: the recorded error says whether the attempt timed out or could not connect.
            var timedOut = row.Error?.Contains("timed out", StringComparison.OrdinalIgnoreCase) == true;
            return record with { Failure = timedOut ? ReplayRecord.Failures.Timeout : ReplayRecord.Failures.Connection };
        }

        return TryParseJson(row.Payload) is { } json
            ? record with { Status = (int)row.HttpStatus, Body = json }
            : record with { Status = (int)row.HttpStatus, BodyText = row.Payload ?? "" };
    }

    private static JsonElement? TryParseJson(string? payload)
    {
        if (string.IsNullOrWhiteSpace(payload))
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(payload);
            return document.RootElement.Clone();
        }
        catch (JsonException)
        {
            return null; // Garbage is replayed as garbage, byte for byte.
        }
    }

    private sealed record SnapshotRow(string Endpoint, DateTimeOffset FetchedAt, long? HttpStatus, long LatencyMs, string? Payload, string? Error);
}
