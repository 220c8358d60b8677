using Dapper;
using KrxSignal.Worker.Predictions;
using KrxSignal.Worker.Storage;
using KrxSignal.Worker.Tests.Support;

namespace KrxSignal.Worker.Tests.Predictions;

public sealed class PredictionStoreTests : IDisposable
{
    private const string Day = "2026-11-19";
    private static readonly DateTimeOffset Now = new(2026, 11, 19, 1, 0, 0, TimeSpan.Zero);
    private static readonly string[] Models = ["lexicon", "sentiment"];
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [SkippableTheory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task SaveAsync_EveryModelOfTheSet_CompletesTheArticleOnceAndLaterSavesDoNot(StorageProvider provider)
    {
        var database = await MigratedDatabases.CreateAsync(provider, _folder);
        var store = new PredictionStore(database);
        await InsertArticlesAsync(database, "n-1");

        var first = await store.SaveAsync(Ok("n-1", "lexicon"), null, Models, Now, CancellationToken.None);
        var second = await store.SaveAsync(Ok("n-1", "sentiment"), null, Models, Now.AddSeconds(1), CancellationToken.None);
        var again = await store.SaveAsync(Ok("n-1", "sentiment"), null, Models, Now.AddSeconds(2), CancellationToken.None);

        (first.Completed, second.Completed, again.Completed).Should().Be((false, true, false));
        (await PredictedAtAsync(database)).Should().ContainSingle().Which.Should().Be(("n-1", Now.AddSeconds(1)));
        (await store.PendingCountAsync(CancellationToken.None)).Should().Be(0);
    }

    [SkippableTheory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task RowsForAndRetryable_ListParameters_SelectExactlyTheNamedArticlesAndModels(StorageProvider provider)
    {
        var database = await MigratedDatabases.CreateAsync(provider, _folder);
        var store = new PredictionStore(database);
        await InsertArticlesAsync(database, "n-1", "n-2", "n-3");
        await store.SaveAsync(Ok("n-1", "lexicon"), null, ["lexicon"], Now, CancellationToken.None);
        await store.SaveAsync(Failed("n-2", "lexicon", attempts: 1), null, ["lexicon"], Now, CancellationToken.None);
        await store.SaveAsync(Failed("n-3", "gpt", attempts: 1), null, ["gpt"], Now, CancellationToken.None);

        var rows = await store.RowsForAsync(["n-2", "n-3", "n-404"], CancellationToken.None);
        var retryable = await store.RetryableAsync(maxAttempts: 3, ["lexicon"], limit: 10, CancellationToken.None);

        rows.Select(r => (r.ArticleId, r.ModelId, r.Status, r.Attempts)).Should().BeEquivalentTo([("n-2", "lexicon", "failed", 1), ("n-3", "gpt", "failed", 1)]);
        retryable.Should().ContainSingle().Which.Should().Match<RetryablePair>(p => p.Article.Id == "n-2" && p.ModelId == "lexicon" && !p.Transient);
        (await store.RowsForAsync([], CancellationToken.None)).Should().BeEmpty();
    }

    [SkippableTheory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task SaveAsync_UsageOfTwoCalls_ReturnsTheDayTotalsAfterEach(StorageProvider provider)
    {
        var database = await MigratedDatabases.CreateAsync(provider, _folder);
        var store = new PredictionStore(database);
        await InsertArticlesAsync(database, "n-1", "n-2");

        var first = await store.SaveAsync(Ok("n-1", "gpt"), new UsageDelta(Day, "gpt", 0, 100, 0.25), ["gpt"], Now, CancellationToken.None);
        var second = await store.SaveAsync(Failed("n-2", "gpt", 1), new UsageDelta(Day, "gpt", 1, 50, 0.5), ["gpt"], Now, CancellationToken.None);

        first.Usage.Should().Be(new UsageTotals(100, 0.25));
        second.Usage.Should().Be(new UsageTotals(150, 0.75));
        (await store.UsageByModelAsync(Day, CancellationToken.None)).Should().ContainKey("gpt").WhoseValue.Should().Be(new UsageTotals(150, 0.75));
        (await UsageRowAsync(database)).Should().Be(new UsageRow(2, 1, 150));
    }

    [SkippableFact]
    public async Task SaveAsync_TwoNodesPredictTheSameArticlesAtOnce_OneRowPerPairAndEachArticleCompletedOnce()
    {
        await using var nodes = await MigratedDatabases.TwoNodesAsync();
        var (nodeA, nodeB) = (nodes.First, nodes.Second);
        var ids = Enumerable.Range(0, 30).Select(i => $"n-{i:D2}").ToArray();
        await InsertArticlesAsync(nodeA, ids);
        var a = new PredictionStore(nodeA);
        var b = new PredictionStore(nodeB);

        // Each node fans every article out to both models at once, as PredictionFanOut does: four saves per article race.
        var saves = ids.SelectMany(id => Models.SelectMany(model => new Func<Task<SaveOutcome>>[]
        {
            () => a.SaveAsync(Ok(id, model), null, Models, Now, CancellationToken.None),
            () => b.SaveAsync(Ok(id, model), null, Models, Now, CancellationToken.None),
        }));
        var outcomes = await AtOnce.RunAsync(saves);

        outcomes.Count(o => o.Completed).Should().Be(ids.Length, "predicted_at is set by exactly one save per article");
        await using var connection = await nodeA.OpenAsync(CancellationToken.None);
        (await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM predictions")).Should().Be(ids.Length * Models.Length);
        (await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM (SELECT article_id, model_id FROM predictions GROUP BY 1, 2 HAVING COUNT(*) > 1) d")).Should().Be(0);
        (await PredictedAtAsync(nodeA)).Should().HaveCount(ids.Length);
    }

    [SkippableFact]
    public async Task SaveAsync_TheLastTwoRowsOfAnArticleSavedAtOnce_TheArticleIsCompleted()
    {
        await using var nodes = await MigratedDatabases.TwoNodesAsync();
        var (nodeA, nodeB) = (nodes.First, nodes.Second);
        var ids = Enumerable.Range(0, 100).Select(i => $"n-{i:D3}").ToArray();
        await InsertArticlesAsync(nodeA, ids);
        var a = new PredictionStore(nodeA);
        var b = new PredictionStore(nodeB);

        // One save per pair: neither is retried later, so a save that misses the other's uncommitted row would leave
        // the article pending for ever (each transaction counting only its own row under read committed).
        var outcomes = await AtOnce.RunAsync(ids.SelectMany(id => new Func<Task<SaveOutcome>>[]
        {
            () => a.SaveAsync(Ok(id, "lexicon"), null, Models, Now, CancellationToken.None),
            () => b.SaveAsync(Ok(id, "sentiment"), null, Models, Now, CancellationToken.None),
        }));

        (await PredictedAtAsync(nodeA)).Should().HaveCount(ids.Length);
        outcomes.Count(o => o.Completed).Should().Be(ids.Length);
    }

    [SkippableFact]
    public async Task SaveAsync_TwoNodesAddUsageToOneModelAtOnce_EveryCallIsCounted()
    {
        await using var nodes = await MigratedDatabases.TwoNodesAsync();
        var (nodeA, nodeB) = (nodes.First, nodes.Second);
        var ids = Enumerable.Range(0, 40).Select(i => $"n-{i:D2}").ToArray();
        await InsertArticlesAsync(nodeA, ids);
        var a = new PredictionStore(nodeA);
        var b = new PredictionStore(nodeB);

        // The first insert of the day's row races too: ON CONFLICT turns the loser's insert into the increment.
        var outcomes = await AtOnce.RunAsync(ids.Select((id, i) => (Func<Task<SaveOutcome>>)(() => (i % 2 == 0 ? a : b)
            .SaveAsync(Ok(id, "gpt"), new UsageDelta(Day, "gpt", i % 4 == 0 ? 1 : 0, 10, 0.01), ["gpt"], Now, CancellationToken.None))));

        (await UsageRowAsync(nodeA)).Should().Be(new UsageRow(40, 10, 400));
        outcomes.Select(o => o.Usage!.Tokens).Should().OnlyHaveUniqueItems("each increment saw the one before it").And.Contain(400);
    }

    private static PairResult Ok(string articleId, string modelId) =>
        new(articleId, modelId, PredictionStatus.Ok, 1, 12, "up", "high", 0.8, "strong quarter");

    private static PairResult Failed(string articleId, string modelId, int attempts) =>
        new(articleId, modelId, PredictionStatus.Failed, attempts, 12, Error: "HTTP 400");

    private static async Task InsertArticlesAsync(Database database, params string[] ids)
    {
        await using var connection = await database.OpenAsync(CancellationToken.None);
        await connection.ExecuteAsync(
            "INSERT INTO news_articles (id, ticker, title, published_at, created_at) VALUES (@id, '005930', 'title', @Now, @Now)",
            ids.Select(id => new { id, Now }));
    }

    private static async Task<List<(string Id, DateTimeOffset PredictedAt)>> PredictedAtAsync(Database database)
    {
        await using var connection = await database.OpenAsync(CancellationToken.None);
        return (await connection.QueryAsync<PredictedRow>("SELECT id AS Id, predicted_at AS PredictedAt FROM news_articles WHERE predicted_at IS NOT NULL ORDER BY id"))
            .Select(r => (r.Id, r.PredictedAt)).ToList();
    }

    private static async Task<UsageRow> UsageRowAsync(Database database)
    {
        await using var connection = await database.OpenAsync(CancellationToken.None);
        return await connection.QuerySingleAsync<UsageRow>($"SELECT calls AS Calls, failures AS Failures, tokens AS Tokens FROM model_usage WHERE day = '{Day}' AND model_id = 'gpt'");
    }

    private sealed record PredictedRow
    {
        public string Id { get; init; } = "";

        public DateTimeOffset PredictedAt { get; init; }
    }

    private sealed record UsageRow(long Calls, long Failures, long Tokens);
}
