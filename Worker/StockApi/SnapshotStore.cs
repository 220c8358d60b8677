using Dapper;
using KrxSignal.Worker.Storage;

namespace KrxSignal.Worker.StockApi;

/// <param name="HttpStatus">Null when no answer came (timeout, connection failure, open circuit).</param>
/// <param name="Payload">The body as received (also for error answers and unreadable bodies, so replay can reproduce them); null when there was none or it was over the size limit.</param>
internal sealed record SnapshotRow(string Endpoint, DateTimeOffset FetchedAt, int? HttpStatus, long LatencyMs, string? Payload, string? Error, bool ServedStale);

/// <summary>The recording that replay reads: one row per endpoint fetch, good or bad.</summary>
internal sealed class SnapshotStore(Database connections)
{
    /// <summary>A cycle's rows in one connection and one transaction: one open per cycle instead of one per endpoint.</summary>
    public async Task AddAsync(IReadOnlyList<SnapshotRow> rows, CancellationToken cancellationToken)
    {
        if (rows.Count == 0)
        {
            return;
        }

        await using var connection = await connections.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO snapshots (endpoint, fetched_at, http_status, latency_ms, payload, error, served_stale)
            VALUES (@Endpoint, @FetchedAt, @HttpStatus, @LatencyMs, @Payload, @Error, @ServedStale)
            """,
            rows.Select(row => new { row.Endpoint, row.FetchedAt, row.HttpStatus, row.LatencyMs, row.Payload, row.Error, ServedStale = row.ServedStale ? 1 : 0 }),
            transaction,
            cancellationToken: cancellationToken));
        await transaction.CommitAsync(cancellationToken);
    }

    /// <returns>How many rows were deleted.</returns>
    public async Task<int> PruneAsync(DateTimeOffset olderThan, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken);
        return await connection.ExecuteAsync(new CommandDefinition(
            "DELETE FROM snapshots WHERE fetched_at < @olderThan", new { olderThan }, cancellationToken: cancellationToken));
    }
}
