using Dapper;
using KrxSignal.Worker.Replay;
using KrxSignal.Worker.Storage;
using KrxSignal.Worker.Tests.Support;

namespace KrxSignal.Worker.Tests.Replay;

public sealed class RecordingExporterTests : IDisposable
{
    private static readonly DateTimeOffset TenKst = new(2026, 11, 20, 10, 0, 0, TimeSpan.FromHours(9));
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [SkippableTheory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task ExportAsync_SnapshotsInsertedOutOfOrder_YieldsTheDaysReplayedEndpointsInTimeOrder(StorageProvider provider)
    {
        var connections = await MigratedDatabases.CreateAsync(provider, _folder);
        await InsertAsync(connections, "screener", TenKst.AddMinutes(2), 200, """{"results":[]}""", null);
        await InsertAsync(connections, "portfolio", TenKst, 200, """{"cash_krw":1}""", null);
        await InsertAsync(connections, "quotes", TenKst.AddMinutes(1), 200, "{}", null);
        await InsertAsync(connections, "news-sentiment", TenKst.AddMinutes(1), null, null, "The request timed out after 10 s");
        await InsertAsync(connections, "portfolio", TenKst.AddDays(-1), 200, "{}", null);

        var records = await new RecordingExporter(connections).ExportAsync(new DateOnly(2026, 11, 20), CancellationToken.None).ToListAsync();

        records.Select(r => (r.Time, r.Endpoint)).Should().Equal(
            (TenKst, "portfolio"), (TenKst.AddMinutes(1), "news-sentiment"), (TenKst.AddMinutes(2), "screener"));
        records[1].Failure.Should().Be(ReplayRecord.Failures.Timeout);
        records[0].Time.Offset.Should().Be(TimeSpan.FromHours(9));
    }

    [SkippableTheory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task ExportThenWriteInOrder_ThreeRecords_WritesTheSameBytesAsTheSortingWriter(StorageProvider provider)
    {
        var connections = await MigratedDatabases.CreateAsync(provider, _folder);
        await InsertAsync(connections, "portfolio", TenKst, 200, """{"title":"삼성전자"}""", null);
        await InsertAsync(connections, "screener", TenKst.AddSeconds(1), 503, "<html>maintenance</html>", null);
        await InsertAsync(connections, "news-sentiment", TenKst.AddSeconds(2), null, null, "Connection refused");
        var exporter = new RecordingExporter(connections);
        var day = new DateOnly(2026, 11, 20);

        using var streamed = new MemoryStream();
        var count = await ReplayFile.WriteInOrderAsync(streamed, exporter.ExportAsync(day, CancellationToken.None), CancellationToken.None);
        using var sorted = new MemoryStream();
        await ReplayFile.WriteAsync(sorted, await exporter.ExportAsync(day, CancellationToken.None).ToListAsync(), CancellationToken.None);

        count.Should().Be(3);
        streamed.ToArray().Should().Equal(sorted.ToArray());
    }

    private static async Task InsertAsync(Database connections, string endpoint, DateTimeOffset fetchedAt, long? status, string? payload, string? error)
    {
        await using var connection = await connections.OpenAsync(CancellationToken.None);
        await connection.ExecuteAsync(new CommandDefinition(
            "INSERT INTO snapshots (endpoint, fetched_at, http_status, latency_ms, payload, error) VALUES (@endpoint, @fetchedAt, @status, 42, @payload, @error)",
            new { endpoint, fetchedAt, status, payload, error },
            cancellationToken: CancellationToken.None));
    }
}
