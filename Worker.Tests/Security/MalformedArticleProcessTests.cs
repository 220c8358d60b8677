using KrxSignal.Worker.Tests.Reliability;
using KrxSignal.Worker.Tests.StockApi;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;

namespace KrxSignal.Worker.Tests.Security;

/// <summary>The real binary, one news answer with a malformed article between two good ones.</summary>
public sealed class MalformedArticleProcessTests : IDisposable
{
    private readonly ProcessScenario _s = new();

    public void Dispose() => _s.Dispose();

    [Fact]
    public async Task PollOnce_OneMalformedArticleAmongGoodOnes_GoodOnesIngestedAndPredictedOneWarning()
    {
        _s.ServeUpstream([]);
        var today = TimeProvider.System.GetUtcNow().ToOffset(TimeSpan.FromHours(9));
        var at = today.AddMinutes(-5).ToString("yyyy-MM-ddTHH:mm:sszzz", System.Globalization.CultureInfo.InvariantCulture);
        var news = $$"""
            {"date":"{{today:yyyy-MM-dd}}","generated_at":"{{at}}","tickers":[],
             "articles":[
               {"id":"good-1","ticker":"005930","title":"삼성전자 어닝서프라이즈","published_at":"{{at}}","sentiment":0.8},
               {"id":"bad-2","ticker":"000660","title":{"nested":"object"},"published_at":"{{at}}","sentiment":0.5},
               {"id":"good-3","ticker":"035420","title":"네이버 실적 발표","published_at":"{{at}}","sentiment":0.1}]}
            """;
        _s.Upstream.Given(Request.Create().WithPath(StockApiHarness.NewsPath).UsingGet()).AtPriority(-1)
            .RespondWith(Response.Create().WithStatusCode(200).WithHeader("Content-Type", "application/json").WithBody(news));

        var (exitCode, stdout, stderr) = await _s.RunAsync(_s.Environment(), "poll-once");

        exitCode.Should().Be(0, $"stdout:\n{stdout}\nstderr:\n{stderr}");
        (await _s.QueryAsync<string>("SELECT id FROM news_articles ORDER BY id")).Should().Equal("good-1", "good-3");
        (await _s.ScalarAsync<long>("SELECT COUNT(*) FROM news_articles WHERE predicted_at IS NOT NULL")).Should().Be(2);
        stderr.Split('\n').Where(l => l.Contains("bad-2", StringComparison.Ordinal)).Should().ContainSingle()
            .Which.Should().Contain("WARN").And.Contain("article 'bad-2' skipped: title is missing or of the wrong type");
    }
}
