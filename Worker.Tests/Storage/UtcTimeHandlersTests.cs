using Dapper;
using KrxSignal.Worker.Storage;
using KrxSignal.Worker.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;

namespace KrxSignal.Worker.Tests.Storage;

public sealed class UtcTimeHandlersTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    // SQLite only: the stored text is SQLite's representation; PostgreSQL keeps a timestamptz (the round trip below).
    [Fact]
    public async Task Dapper_KstInstant_IsStoredAsUtcTextAndReadBackAsSameInstant()
    {
        var factory = new SqliteDatabase(_folder.File("worker.db"));
        await new SchemaMigrator(factory, NullLogger<SchemaMigrator>.Instance).MigrateAsync(CancellationToken.None);
        var kst = new DateTimeOffset(2026, 11, 19, 9, 41, 0, 123, TimeSpan.FromHours(9));

        await using var connection = await factory.OpenAsync(CancellationToken.None);
        await connection.ExecuteAsync(
            "INSERT INTO news_articles (id, title, published_at, created_at, predicted_at) VALUES ('n-1', 't', @kst, @kst, NULL)",
            new { kst });

        (await connection.QuerySingleAsync<string>("SELECT published_at FROM news_articles")).Should().Be("2026-11-19T00:41:00.123Z");
        var row = await connection.QuerySingleAsync<(DateTimeOffset PublishedAt, DateTimeOffset? PredictedAt)>("SELECT published_at, predicted_at FROM news_articles");
        row.PublishedAt.Should().Be(kst);
        row.PublishedAt.Offset.Should().Be(TimeSpan.Zero);
        row.PredictedAt.Should().BeNull();
    }

    [SkippableTheory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task Dapper_StoredOrder_EqualsTimeOrderAcrossOffsets(StorageProvider provider)
    {
        var factory = await MigratedDatabases.CreateAsync(provider, _folder);
        var earlier = new DateTimeOffset(2026, 11, 19, 23, 0, 0, TimeSpan.FromHours(-8)); // 07:00Z on the 20th
        var later = new DateTimeOffset(2026, 11, 20, 17, 0, 0, TimeSpan.FromHours(9));   // 08:00Z on the 20th

        await using var connection = await factory.OpenAsync(CancellationToken.None);
        await connection.ExecuteAsync("INSERT INTO news_articles (id, title, published_at, created_at) VALUES ('late', 't', @later, @later), ('early', 't', @earlier, @earlier)", new { earlier, later });

        (await connection.QueryAsync<string>("SELECT id FROM news_articles ORDER BY published_at")).Should().Equal("early", "late");
        (await connection.QueryAsync<string>("SELECT id FROM news_articles WHERE published_at < @cut", new { cut = later })).Should().Equal("early");
        var read = await connection.QuerySingleAsync<DateTimeOffset>("SELECT published_at FROM news_articles WHERE id = 'early'");
        read.Should().Be(earlier);
        read.Offset.Should().Be(TimeSpan.Zero);
    }
}
