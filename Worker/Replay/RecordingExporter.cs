using System.Text.Json;
using Dapper;
using KrxSignal.Worker.Storage;
using KrxSignal.Worker.Calendar;

namespace KrxSignal.Worker.Replay;

/// <summary>Turns the snapshots the live daemon recorded on one KST day into replay records.</summary>
internal sealed class RecordingExporter(SqliteConnectionFactory connections)
{

    public async Task<IReadOnlyList<ReplayRecord>> ExportAsync(DateOnly day, CancellationToken cancellationToken)
    {
        var from = Kst.StartOf(day);
        await using var connection = await connections.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<SnapshotRow>(new CommandDefinition(
            """
            SELECT endpoint AS Endpoint, fetched_at AS FetchedAt, http_status AS HttpStatus, latency_ms AS LatencyMs, payload AS Payload, error AS Error
            FROM snapshots WHERE fetched_at >= @from AND fetched_at < @to ORDER BY fetched_at, id
            """,
            new { from, to = from.AddDays(1) },
            cancellationToken: cancellationToken));
        return rows.Where(r => ReplayFile.Endpoints.Contains(r.Endpoint)).Select(ToRecord).ToList();
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
