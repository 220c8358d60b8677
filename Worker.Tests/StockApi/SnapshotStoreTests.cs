using Dapper;
using KrxSignal.Worker.StockApi;
using KrxSignal.Worker.Storage;
using KrxSignal.Worker.Tests.Support;

namespace KrxSignal.Worker.Tests.StockApi;

public sealed class SnapshotStoreTests : IDisposable
{
    private static readonly DateTimeOffset Ten = new(2026, 11, 19, 10, 0, 0, TimeSpan.FromHours(9));
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [SkippableTheory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task AddThenPrune_RowsOnBothSidesOfTheCut_KeepsTheNewerRowsAsWritten(StorageProvider provider)
    {
        var database = await MigratedDatabases.CreateAsync(provider, _folder);
        var store = new SnapshotStore(database);
        await store.AddAsync(
        [
            new SnapshotRow("portfolio", Ten.AddDays(-8), 200, 12, """{"cash_krw":1}""", null, ServedStale: false),
            new SnapshotRow("news-sentiment", Ten, null, 10_000, null, "The request timed out after 10 s", ServedStale: true),
            new SnapshotRow("screener", Ten.AddSeconds(1), 503, 40, "<html>maintenance</html>", "HTTP 503", ServedStale: false),
        ], CancellationToken.None);

        var deleted = await store.PruneAsync(Ten.AddDays(-7), CancellationToken.None);

        deleted.Should().Be(1);
        await using var connection = await database.OpenAsync(CancellationToken.None);
        var rows = (await connection.QueryAsync<StoredSnapshot>(
            "SELECT endpoint AS Endpoint, fetched_at AS FetchedAt, http_status AS HttpStatus, latency_ms AS LatencyMs, payload AS Payload, error AS Error, served_stale AS ServedStale FROM snapshots ORDER BY fetched_at")).ToList();
        rows.Should().Equal(
            new StoredSnapshot("news-sentiment", Ten, null, 10_000, null, "The request timed out after 10 s", 1),
            new StoredSnapshot("screener", Ten.AddSeconds(1), 503, 40, "<html>maintenance</html>", "HTTP 503", 0));
    }

    private sealed record StoredSnapshot(string Endpoint, DateTimeOffset FetchedAt, long? HttpStatus, long LatencyMs, string? Payload, string? Error, long ServedStale);
}
