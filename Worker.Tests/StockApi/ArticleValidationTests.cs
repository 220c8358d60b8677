using KrxSignal.Worker.Pipeline;
using KrxSignal.Worker.StockApi;
using Microsoft.Extensions.Logging;

namespace KrxSignal.Worker.Tests.StockApi;

/// <summary>Each article is read on its own: a bad one is skipped with one warning naming its id and field.</summary>
public sealed class ArticleValidationTests : IAsyncLifetime, IDisposable
{
    private const string Good1 = """{"id":"good-1","ticker":"005930","title":"삼성전자 수주","published_at":"2026-11-20T09:41:00+09:00","sentiment":0.6}""";
    private const string Good2 = """{"id":"good-2","ticker":"000660","title":"SK하이닉스 실적","published_at":"2026-11-20T09:42:00+09:00"}""";

    private StockApiHarness _api = null!;

    public async Task InitializeAsync() => _api = await StockApiHarness.StartAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    public void Dispose() => _api.Dispose();

    public static TheoryData<string, string> BadArticles => new()
    {
        { """{"id":"bad-1","ticker":"005930","title":42,"published_at":"2026-11-20T09:40:00+09:00"}""", "article 'bad-1' skipped: title is missing or of the wrong type" },
        { """{"id":"bad-1","ticker":"005930","published_at":"2026-11-20T09:40:00+09:00"}""", "article 'bad-1' skipped: title" },
        { """{"id":"bad-1","ticker":"005930","title":"x","published_at":"yesterday"}""", "article 'bad-1' skipped: published_at is missing or of the wrong type" },
        { """{"ticker":"005930","title":"x","published_at":"2026-11-20T09:40:00+09:00"}""", "articles[1] skipped: id is missing or not a string" },
        { """{"id":17,"ticker":"005930","title":"x","published_at":"2026-11-20T09:40:00+09:00"}""", "articles[1] skipped: id is missing or not a string" },
        { $$"""{"id":"{{new string('i', ArticleBounds.MaxIdLength + 1)}}","title":"x","published_at":"2026-11-20T09:40:00+09:00"}""", "skipped: id is over 128 characters" },
        { $$"""{"id":"bad-1","title":"{{new string('t', ArticleBounds.MaxTitleLength + 1)}}","published_at":"2026-11-20T09:40:00+09:00"}""", "article 'bad-1' skipped: title is blank or over 500 characters" },
        { $$"""{"id":"bad-1","title":"x","summary":"{{new string('s', ArticleBounds.MaxSummaryLength + 1)}}","published_at":"2026-11-20T09:40:00+09:00"}""", "article 'bad-1' skipped: summary is over 4000 characters" },
        { """{"id":"bad-1","ticker":"삼성전자","title":"x","published_at":"2026-11-20T09:40:00+09:00"}""", "article 'bad-1' skipped: ticker '삼성전자'" },
        { """{"id":"bad-1","title":"x","published_at":"2026-11-20T09:40:00+09:00","sentiment":7}""", "article 'bad-1' skipped: sentiment is outside -1..1" },
        { "\"just a string\"", "articles[1] skipped: not an object" },
    };

    [Theory]
    [MemberData(nameof(BadArticles))]
    public async Task Poll_OneBadArticleBetweenGoodOnes_SkippedWithOneWarningNeighboursIngested(string bad, string warning)
    {
        _api.Answer(StockApiHarness.PortfolioPath, 200, Payloads.Portfolio);
        _api.Answer(StockApiHarness.ScreenerPath, 200, Payloads.Screener);
        _api.Answer(StockApiHarness.NewsPath, 200, $$"""{"date":"2026-11-20","generated_at":"2026-11-20T10:00:12+09:00","tickers":[],"articles":[{{Good1}},{{bad}},{{Good2}}]}""");

        var result = await _api.RunCycleAsync();

        result.Outcome.Should().Be(StageOutcome.Ok);
        result.Items.Should().Be(2);
        (await _api.QueryAsync<string>("SELECT id FROM news_articles ORDER BY id")).Should().Equal("good-1", "good-2");
        _api.Logs.GetSnapshot().Where(r => r.Level == LogLevel.Warning).Select(r => r.Message)
            .Should().ContainSingle().Which.Should().Contain("news-sentiment").And.Contain(warning);
    }

    [Fact]
    public async Task Poll_ArticleIdWithControlCharacters_Skipped()
    {
        _api.Answer(StockApiHarness.PortfolioPath, 200, Payloads.Portfolio);
        _api.Answer(StockApiHarness.ScreenerPath, 200, Payloads.Screener);
        _api.Answer(StockApiHarness.NewsPath, 200, $$"""{"date":"2026-11-20","generated_at":"2026-11-20T10:00:12+09:00","tickers":[],"articles":[{{Good1}},{"id":"x\n2026-11-20 CRITICAL forged","title":"x","published_at":"2026-11-20T09:40:00+09:00"}]}""");

        var result = await _api.RunCycleAsync();

        result.Items.Should().Be(1);
        (await _api.QueryAsync<string>("SELECT id FROM news_articles")).Should().Equal("good-1");
        _api.Logs.GetSnapshot().Where(r => r.Level == LogLevel.Warning).Select(r => r.Message).Should().ContainSingle()
            .Which.Should().Contain("article 'x\n2026-11-20 CRITICAL forged' skipped: id is over 128 characters or holds control characters",
                "the id is passed on as it came; the log layer escapes it (LogProcessTests.PollOnce_NewlineLadenArticleId_ForgesNoLogLine)");
    }
}
