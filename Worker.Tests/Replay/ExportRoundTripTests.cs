using Dapper;
using KrxSignal.Worker.Hosting;
using KrxSignal.Worker.Pipeline;
using KrxSignal.Worker.Replay;
using KrxSignal.Worker.Storage;
using KrxSignal.Worker.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;

namespace KrxSignal.Worker.Tests.Replay;

[Collection(ReplayRunnerTests.Collection)] // runs alone: see ReplayRunnerTests
public sealed class ExportRoundTripTests : IDisposable
{
    private static readonly DateTimeOffset TenKst = new(2026, 11, 20, 10, 0, 0, TimeSpan.FromHours(9));
    private readonly TestHost _host = new(start: TenKst);
    private readonly TempFolder _folder;
    private readonly WireMockServer _upstream;

    public ExportRoundTripTests()
    {
        _folder = _host.Folder;
        _upstream = _host.Server();
    }

    public void Dispose() => _host.Dispose();

    [Fact]
    public async Task ExportThenReplay_PollOnceLoopRecording_ReplaysToTheSameArticleSet()
    {
        var recorded = _folder.File("live.db");
        var time = _host.Time;
        StubUpstream(articleCount: 3);
        using (var host = LiveHost(recorded))
        {
            await host.Services.GetRequiredService<SchemaMigrator>().MigrateAsync(CancellationToken.None);
            var runner = host.Services.GetRequiredService<PipelineRunner>();
            for (var cycle = 0; cycle < 5; cycle++)
            {
                if (cycle == 2)
                {
                    StubUpstream(articleCount: 6);
                }

                var context = new StageContext(ForceFresh: true, DeliverNow: true);
                await runner.RunPollCycleAsync(context, CancellationToken.None);
                await runner.RunDownstreamAsync(context, CancellationToken.None);
                time.Advance(TimeSpan.FromMinutes(1));
            }
        }

        var records = await new RecordingExporter(new SqliteDatabase(recorded)).ExportAsync(new DateOnly(2026, 11, 20), CancellationToken.None).ToListAsync();
        var file = _folder.File("exported.jsonl");
        await using (var stream = File.Create(file))
        {
            await ReplayFile.WriteAsync(stream, records, CancellationToken.None);
        }

        var report = await ReplayRunner.RunAsync(
            new WorkerHostSettings { Overrides = new Dictionary<string, string?> { ["Logs:Directory"] = _folder.File("logs") } },
            file, _folder.File("replayed.db"), deliver: false, progress: null, CancellationToken.None);

        records.Should().HaveCount(15, "five cycles of three endpoints");
        var live = await ArticleIdsAsync(recorded);
        live.Should().HaveCount(6);
        (await ArticleIdsAsync(report.DatabasePath)).Should().Equal(live);
    }

    private Microsoft.Extensions.Hosting.IHost LiveHost(string database) => _host.Build(new Dictionary<string, string?>
    {
        ["StockApi:BaseUrl"] = _upstream.Url,
        ["StockApi:ApiKey"] = "test-key",
        ["Storage:DatabasePath"] = database,
    });

    private void StubUpstream(int articleCount)
    {
        _upstream.Reset();
        _upstream.Given(Request.Create().WithPath("/api/webai/portfolio").UsingGet()).RespondWith(Response.Create().WithStatusCode(200).WithBody(
            """{"as_of":"2026-11-20T10:00:00+09:00","cash_krw":1000,"total_value_krw":2000,"holdings":[{"ticker":"005930","name":"삼성전자","quantity":1,"avg_price":70000,"current_price":71000,"pnl_pct":1.4}]}"""));
        var articles = string.Join(",", Enumerable.Range(1, articleCount).Select(i =>
            $$"""{"id":"n-{{i}}","title":"삼성전자 수주 급증 {{i}}","published_at":"2026-11-20T09:{{i:00}}:00+09:00","ticker":"005930","sentiment":0.6}"""));
        _upstream.Given(Request.Create().WithPath("/api/webai/news-sentiment").UsingGet()).RespondWith(Response.Create().WithStatusCode(200).WithBody(
            $$"""{"date":"2026-11-20","generated_at":"2026-11-20T10:00:00+09:00","tickers":[{"ticker":"005930","score":0.5,"article_count":{{articleCount}}}],"articles":[{{articles}}]}"""));
        _upstream.Given(Request.Create().WithPath("/api/stock/screener/run").UsingPost()).RespondWith(Response.Create().WithStatusCode(200).WithBody(
            """{"mode":"preview","run_at":"2026-11-20T10:00:00+09:00","results":[{"rank":1,"ticker":"005930","score":90.5}]}"""));
    }

    private static async Task<List<string>> ArticleIdsAsync(string database)
    {
        await using var connection = await new SqliteDatabase(database).OpenAsync(CancellationToken.None);
        return (await connection.QueryAsync<string>("SELECT id FROM news_articles ORDER BY id")).ToList();
    }
}
