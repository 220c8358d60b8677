using KrxSignal.Worker.Health;
using KrxSignal.Worker.Pipeline;
using KrxSignal.Worker.StockApi;
using KrxSignal.Worker.Storage;
using KrxSignal.Worker.Tests.Support;
using Microsoft.Extensions.Logging;
using WireMock.ResponseBuilders;

namespace KrxSignal.Worker.Tests.StockApi;

public sealed class PollStageTests : IAsyncLifetime
{
    private StockApiHarness _api = null!;

    public async Task InitializeAsync() => _api = await StockApiHarness.StartAsync();

    public Task DisposeAsync()
    {
        _api.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task RunAsync_AllEndpointsHealthy_PublishesRecordsAndIngests()
    {
        _api.AllHealthy();

        var result = await _api.RunCycleAsync();

        result.Outcome.Should().Be(StageOutcome.Ok);
        result.Items.Should().Be(2);
        _api.Market.Portfolio.Value!.Holdings.Single().Ticker.Should().Be("005930");
        _api.Market.News.Value!.Articles.Should().HaveCount(2);
        _api.Market.Screener.Value!.Results.Single().Ticker.Should().Be("000660");
        (await _api.QueryAsync<string>("SELECT endpoint FROM snapshots WHERE http_status = 200 AND error IS NULL AND payload IS NOT NULL ORDER BY endpoint"))
            .Should().Equal("news-sentiment", "portfolio", "screener");
        (await _api.QueryAsync<string>("SELECT id FROM news_articles ORDER BY id")).Should().Equal("n-7245", "n-7246");
        _api.Attempts.Should().HaveCount(3).And.OnlyContain(a => a.Key == StockApiHarness.ApiKey);
    }

    [Fact]
    public async Task RunAsync_Requests_CarryKstDateAndPreviewMode()
    {
        _api.AllHealthy();
        _api.Time.SetUtcNow(new DateTimeOffset(2026, 11, 20, 22, 30, 0, TimeSpan.Zero)); // 07:30 KST on the 21st, still the 20th in UTC

        await _api.RunCycleAsync();

        var news = _api.Server.LogEntries.Single(e => e.RequestMessage!.Path == StockApiHarness.NewsPath);
        news.RequestMessage!.Query!["date"].Should().Equal("2026-11-21");
        var screener = _api.Server.LogEntries.Single(e => e.RequestMessage!.Path == StockApiHarness.ScreenerPath);
        screener.RequestMessage!.Body.Should().Contain("\"mode\":\"preview\"");
    }

    [SkippableTheory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task RunAsync_SameArticlesEveryCycle_IngestsEachExactlyOnce(StorageProvider provider)
    {
        using var api = await StockApiHarness.StartAsync(await MigratedDatabases.HostSettingsAsync(provider));
        api.AllHealthy();
        var fresh = new StageContext(ForceFresh: true);

        var first = await api.RunCycleAsync(fresh);
        var second = await api.RunCycleAsync(fresh);

        first.Items.Should().Be(2);
        second.Items.Should().Be(0);
        (await api.QueryAsync<long>("SELECT COUNT(*) FROM news_articles")).Single().Should().Be(2);
        (await api.QueryAsync<string?>("SELECT ticker FROM news_articles WHERE id = 'n-7246'")).Single().Should().BeNull("articles without a ticker are kept");
    }

    [Fact]
    public async Task RunAsync_WithinCacheTtl_ServesCachedWithoutRequestUnlessForceFresh()
    {
        _api.AllHealthy();
        await _api.RunCycleAsync();
        _api.Time.Advance(TimeSpan.FromSeconds(30));

        var cached = await _api.RunCycleAsync();
        var requestsWhileCached = _api.Attempts.Count;
        var forced = await _api.RunCycleAsync(new StageContext(ForceFresh: true));

        cached.Outcome.Should().Be(StageOutcome.Ok);
        cached.Summary.Should().Contain("portfolio cached").And.Contain("news-sentiment cached").And.Contain("screener cached");
        requestsWhileCached.Should().Be(3);
        forced.Summary.Should().Contain("portfolio ok");
        _api.Attempts.Should().HaveCount(6);
    }

    [SkippableTheory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task RunAsync_UpstreamDownAfterGoodCycle_ServesStaleWithAgeAndWarnsOncePerOutage(StorageProvider provider)
    {
        using var api = await StockApiHarness.StartAsync(await MigratedDatabases.HostSettingsAsync(provider));
        api.AllHealthy();
        await api.RunCycleAsync();
        api.Server.ResetMappings();
        api.Answer(StockApiHarness.PortfolioPath, 500, """{"detail":"boom"}""");
        api.Answer(StockApiHarness.NewsPath, 200, Payloads.News);
        api.Answer(StockApiHarness.ScreenerPath, 200, Payloads.Screener);
        api.Time.Advance(TimeSpan.FromMinutes(2));

        var first = await api.RunCycleAsync();
        api.Time.Advance(TimeSpan.FromMinutes(1));
        var second = await api.RunCycleAsync();
        var heartbeat = await api.HeartbeatAsync();

        first.Outcome.Should().Be(StageOutcome.Partial);
        second.Summary.Should().MatchRegex(@"portfolio stale \d+s \(HTTP 500");
        api.Market.Portfolio.FetchedAt.Should().BeBefore(StockApiHarness.Start.AddMinutes(1), "the stale value keeps its own fetch time");
        api.Logs.GetSnapshot().Count(r => r.Level == LogLevel.Warning && r.Message.Contains("serving the value fetched at", StringComparison.Ordinal)).Should().Be(1);
        heartbeat.Status.Should().Be(HealthStatus.Degraded);
        heartbeat.Endpoints!["portfolio"].Should().Match<EndpointHealth>(e => e.ServedStale && e.ConsecutiveFailures == 2 && e.StaleAgeSeconds > 180 && e.LastError == "HTTP 500");
        (await api.QueryAsync<long>("SELECT COUNT(*) FROM snapshots WHERE endpoint = 'portfolio' AND served_stale = 1 AND http_status = 500")).Single().Should().Be(2);
    }

    [Fact]
    public async Task RunAsync_StaleOlderThanMaxStaleAge_TreatedAsMissing()
    {
        _api.AllHealthy();
        await _api.RunCycleAsync();
        _api.Server.ResetMappings();
        _api.Answer(StockApiHarness.PortfolioPath, 500, "");
        _api.Answer(StockApiHarness.NewsPath, 500, "");
        _api.Answer(StockApiHarness.ScreenerPath, 500, "");
        _api.Time.Advance(TimeSpan.FromMinutes(31));

        var result = await _api.RunCycleAsync();
        var heartbeat = await _api.HeartbeatAsync();

        result.Outcome.Should().Be(StageOutcome.Failed);
        result.Summary.Should().Contain("portfolio failed (HTTP 500");
        heartbeat.Reasons.Should().Contain(r => r.StartsWith("portfolio: no usable data", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("malformed", """{"as_of": "2026-11-20T10:01:00+09:00", "cash_krw": }""", "application/json", "malformed JSON")]
    [InlineData("truncated", """{"as_of":"2026-11-20T10:01:00+09:00","cash_krw":12500000,"total_va""", "application/json", "malformed JSON")]
    [InlineData("html", "<html><body>502 Bad Gateway</body></html>", "text/html", "HTML instead of JSON")]
    [InlineData("empty", "", "application/json", "empty body")]
    [InlineData("wrong type", """{"as_of":"2026-11-20T10:01:00+09:00","cash_krw":"lots","total_value_krw":1,"holdings":[]}""", "application/json", "malformed JSON")]
    [InlineData("ticker as number", """{"as_of":"2026-11-20T10:01:00+09:00","cash_krw":1,"total_value_krw":1,"holdings":[{"ticker":5930,"name":"x","quantity":1,"avg_price":1,"current_price":1,"pnl_pct":0}]}""", "application/json", "malformed JSON")]
    [InlineData("missing field", """{"as_of":"2026-11-20T10:01:00+09:00","cash_krw":1,"holdings":[]}""", "application/json", "malformed JSON")]
    [InlineData("null list", """{"as_of":"2026-11-20T10:01:00+09:00","cash_krw":1,"total_value_krw":1,"holdings":null}""", "application/json", "malformed JSON")]
    [InlineData("invalid ticker", """{"as_of":"2026-11-20T10:01:00+09:00","cash_krw":1,"total_value_krw":1,"holdings":[{"ticker":"5930","name":"x","quantity":1,"avg_price":1,"current_price":1,"pnl_pct":0}]}""", "application/json", "invalid ticker '5930' at holdings[0]")]
    public async Task RunAsync_BadPortfolioAnswer_CountedFailureNamingEndpointAndProblem(string fault, string body, string contentType, string problem)
    {
        _ = fault;
        _api.Answer(StockApiHarness.PortfolioPath, 200, body, contentType);
        _api.Answer(StockApiHarness.NewsPath, 200, Payloads.News);
        _api.Answer(StockApiHarness.ScreenerPath, 200, Payloads.Screener);

        var result = await _api.RunCycleAsync();

        result.Outcome.Should().Be(StageOutcome.Partial, "the other endpoints still answered");
        result.Summary.Should().Contain($"portfolio failed ({problem}");
        _api.AttemptTimes(StockApiHarness.PortfolioPath).Should().HaveCount(1, "a garbage answer is not retried");
        _api.Logs.GetSnapshot().Should().Contain(r => r.Level == LogLevel.Warning && r.Message.Contains("portfolio", StringComparison.Ordinal) && r.Message.Contains(problem, StringComparison.Ordinal));
        (await _api.QueryAsync<string>("SELECT error FROM snapshots WHERE endpoint = 'portfolio'")).Single().Should().StartWith(problem);
        (await _api.HeartbeatAsync()).Endpoints!["portfolio"].ConsecutiveFailures.Should().Be(1);
    }

    [Fact]
    public async Task RunAsync_InvalidArticleTicker_ThatArticleSkippedNeighbourIngested()
    {
        _api.Answer(StockApiHarness.PortfolioPath, 200, Payloads.Portfolio);
        _api.Answer(StockApiHarness.NewsPath, 200, Payloads.News.Replace("\"ticker\":\"005930\",\"title\"", "\"ticker\":\"samsung\",\"title\"", StringComparison.Ordinal));
        _api.Answer(StockApiHarness.ScreenerPath, 200, Payloads.Screener);

        var result = await _api.RunCycleAsync();

        result.Outcome.Should().Be(StageOutcome.Ok, "one bad article does not spoil the answer");
        (await _api.QueryAsync<string>("SELECT id FROM news_articles")).Should().Equal("n-7246");
        _api.Logs.GetSnapshot().Where(r => r.Level == LogLevel.Warning).Select(r => r.Message)
            .Should().ContainSingle(m => m.Contains("article 'n-7245' skipped: ticker 'samsung'", StringComparison.Ordinal));
    }

    [Fact]
    public async Task RunAsync_BodyOverFiveMegabytes_CountedFailureWithoutPayload()
    {
        var huge = Payloads.Screener.Replace("\"results\":", "\"padding\":\"" + new string('x', 6 * 1024 * 1024) + "\",\"results\":", StringComparison.Ordinal);
        _api.Answer(StockApiHarness.PortfolioPath, 200, Payloads.Portfolio);
        _api.Answer(StockApiHarness.NewsPath, 200, Payloads.News);
        _api.Answer(StockApiHarness.ScreenerPath, 200, huge);

        var result = await _api.RunCycleAsync();

        result.Summary.Should().Contain("screener failed (body over 5 MB");
        (await _api.QueryAsync<string?>("SELECT payload FROM snapshots WHERE endpoint = 'screener'")).Single().Should().BeNull();
    }

    [Fact]
    public async Task RunAsync_OneEndpointHangs_OthersCompleteAndCycleIsPartial()
    {
        // A one-second attempt timeout keeps the hanging answers (four seconds of real time) short-lived in the test.
        using var api = await StockApiHarness.StartAsync(new Dictionary<string, string?> { ["StockApi:AttemptTimeout"] = "00:00:01" });
        api.Answer(StockApiHarness.PortfolioPath, Response.Create().WithStatusCode(200).WithHeader("Content-Type", "application/json").WithBody(Payloads.Portfolio).WithDelay(TimeSpan.FromSeconds(4)));
        api.Answer(StockApiHarness.NewsPath, 200, Payloads.News);
        api.Answer(StockApiHarness.ScreenerPath, 200, Payloads.Screener);

        var result = await api.RunCycleAsync(advanceWhileRequestsPending: true);

        result.Outcome.Should().Be(StageOutcome.Partial);
        result.Summary.Should().Contain("portfolio failed (timed out").And.Contain("news-sentiment ok").And.Contain("screener ok");
        result.Items.Should().Be(2);
        api.AttemptTimes(StockApiHarness.PortfolioPath).Should().HaveCount(4, "a timeout is retried three times");
    }

    [SkippableTheory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task RunAsync_SnapshotsOlderThanRetention_PrunedAtMostHourly(StorageProvider provider)
    {
        using var api = await StockApiHarness.StartAsync(await MigratedDatabases.HostSettingsAsync(provider));
        api.AllHealthy();
        await api.RunCycleAsync();
        api.Time.Advance(TimeSpan.FromDays(8));

        await api.RunCycleAsync();
        var afterPrune = await api.QueryAsync<long>("SELECT COUNT(*) FROM snapshots");

        afterPrune.Single().Should().Be(3, "the first cycle's rows are older than the 7-day retention");
    }

    [Fact]
    public async Task RunAsync_BaseUrlUnset_FailsSayingSo()
    {
        using var unset = await StockApiHarness.StartAsync(new Dictionary<string, string?> { ["StockApi:BaseUrl"] = "" });

        var result = await unset.RunCycleAsync();

        result.Outcome.Should().Be(StageOutcome.Failed);
        result.Summary.Should().Contain("StockApi:BaseUrl is not set");
    }
}
