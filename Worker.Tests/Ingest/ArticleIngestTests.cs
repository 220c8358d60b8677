using Dapper;
using KrxSignal.Worker.Ingest;
using KrxSignal.Worker.StockApi;
using KrxSignal.Worker.Storage;
using KrxSignal.Worker.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace KrxSignal.Worker.Tests.Ingest;

public sealed class ArticleIngestTests : IDisposable
{
    private static readonly DateTimeOffset Published = new(2026, 11, 19, 9, 30, 0, TimeSpan.FromHours(9));
    private readonly TempFolder _folder = new();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 19, 1, 0, 0, TimeSpan.Zero));

    public void Dispose() => _folder.Dispose();

    [SkippableTheory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task IngestAsync_SameArticlesInALaterCall_CountsOnlyTheNewOnesAndKeepsTheFirstRow(StorageProvider provider)
    {
        var database = await MigratedDatabases.CreateAsync(provider, _folder);
        var ingest = new ArticleIngest(database, _time);

        var first = await ingest.IngestAsync([Article("n-1", "삼성전자 실적 호조"), Article("n-2", "SK하이닉스 HBM")], CancellationToken.None);
        var second = await ingest.IngestAsync([Article("n-2", "changed title"), Article("n-3", "no ticker", ticker: null)], CancellationToken.None);

        first.Should().Be(2);
        second.Should().Be(1);
        var rows = await RowsAsync(database);
        rows.Select(r => (r.Id, r.Title)).Should().Equal(("n-1", "삼성전자 실적 호조"), ("n-2", "SK하이닉스 HBM"), ("n-3", "no ticker"));
        rows[0].PublishedAt.Should().Be(Published);
        rows[0].CreatedAt.Should().Be(_time.GetUtcNow());
        rows[2].Ticker.Should().BeNull("an article without a ticker is kept; the prediction step skips it");
    }

    [SkippableFact]
    public async Task IngestAsync_TwoNodesIngestTheSameCallsAtOnce_OneRowPerArticleAndEachCountedNewOnce()
    {
        await using var nodes = await MigratedDatabases.TwoNodesAsync();
        var (nodeA, nodeB) = (nodes.First, nodes.Second);
        var a = new ArticleIngest(nodeA, _time);
        var b = new ArticleIngest(nodeB, _time);
        var total = 0;

        // Overlapping batches in opposite orders, as two nodes polling the same upstream a moment apart would see.
        for (var round = 0; round < 20; round++)
        {
            var batch = Enumerable.Range(round * 5, 10).Select(i => Article($"n-{i:D3}", $"article {i}")).ToList();
            var reversed = Enumerable.Reverse(batch).ToList();
            var counts = await AtOnce.RunAsync<int>(
            [
                () => a.IngestAsync(batch, CancellationToken.None),
                () => b.IngestAsync(reversed, CancellationToken.None),
            ]);
            total += counts.Sum();
        }

        var rows = await RowsAsync(nodeA);
        rows.Should().HaveCount(105).And.OnlyHaveUniqueItems(r => r.Id);
        total.Should().Be(105, "each article is new to exactly one of the two nodes");
    }

    private static Article Article(string id, string title, string? ticker = "005930") =>
        new(id, title, Published, ticker, Summary: "요약", Source: "yonhap", Url: $"https://news.example/{id}", Sentiment: 0.4);

    private static async Task<List<StoredArticle>> RowsAsync(Database database)
    {
        await using var connection = await database.OpenAsync(CancellationToken.None);
        return (await connection.QueryAsync<StoredArticle>(
            "SELECT id AS Id, ticker AS Ticker, title AS Title, published_at AS PublishedAt, created_at AS CreatedAt FROM news_articles ORDER BY id")).ToList();
    }

    private sealed record StoredArticle
    {
        public string Id { get; init; } = "";

        public string? Ticker { get; init; }

        public string Title { get; init; } = "";

        public DateTimeOffset PublishedAt { get; init; }

        public DateTimeOffset CreatedAt { get; init; }
    }
}
