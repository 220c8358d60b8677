using System.Text.Json;
using KrxSignal.Worker.Pipeline;
using KrxSignal.Worker.Signals;
using KrxSignal.Worker.StockApi;
using Microsoft.Extensions.DependencyInjection;
using KrxSignal.Worker.Storage;

namespace KrxSignal.Worker.Tests.Signals;

public abstract class SignalRulesTests(StorageProvider provider) : SignalsDatabaseTest(provider)
{
    [SkippableFact]
    public async Task RunAsync_LatePredictionOnHoursOldArticle_NoSignal()
    {
        var clock = SignalsTestDatabase.NewClock();
        var now = clock.GetUtcNow();
        // Arrived three hours ago; the models were down and answered only now, strongly.
        await Db.AddArticleAsync(
            new TestArticle("005930", ArrivedAt: now.AddHours(-3), PredictedAt: now),
            new TestVote("m1", "up", "high", 0.9), new TestVote("m2", "up", "high", 0.9));
        await using var services = Db.BuildServices(clock);

        var result = await RunAsync(services);

        result.Items.Should().Be(0);
        result.Summary.Should().Contain("0 tickers with 0 votes");
        (await Db.ScalarAsync<long>("SELECT COUNT(*) FROM signals")).Should().Be(0);
    }

    [SkippableFact]
    public async Task RunAsync_LatePredictionOnFreshArticle_Signal()
    {
        // The control: the same late answers on an article that arrived ten minutes ago do count.
        var clock = SignalsTestDatabase.NewClock();
        var now = clock.GetUtcNow();
        await Db.AddArticleAsync(
            new TestArticle("005930", ArrivedAt: now.AddMinutes(-10), PredictedAt: now),
            new TestVote("m1", "up", "high", 0.9), new TestVote("m2", "up", "high", 0.9));
        await using var services = Db.BuildServices(clock);

        (await RunAsync(services)).Items.Should().Be(1);
    }

    [SkippableFact]
    public async Task RunAsync_OppositeSignalInsideDedupWindow_NeedsReversalThresholdAndIsMarked()
    {
        var clock = SignalsTestDatabase.NewClock();
        await using var services = Db.BuildServices(clock);
        services.GetRequiredService<MarketData>().Publish(SignalDeciderTests.Portfolio(clock.GetUtcNow(), "000660"));
        await Db.AddPredictedArticleAsync("000660", clock.GetUtcNow(), ("m1", "down", "high", 0.6), ("m2", "down", "medium", 0.5));
        (await RunAsync(services)).Items.Should().Be(1, "the first sell");
        var sellId = await Db.ScalarAsync<long>("SELECT id FROM signals WHERE action = 'sell'");

        // Two hours later (the sell's article is out of the lookback): up at 0.5, over BuyThreshold 0.45, under ReversalThreshold 0.6.
        clock.Advance(TimeSpan.FromHours(2));
        await Db.AddPredictedArticleAsync("000660", clock.GetUtcNow(), ("m1", "up", "high", 0.5), ("m2", "up", "high", 0.5));
        var weak = await RunAsync(services);

        weak.Items.Should().Be(0);
        weak.Counts!["weak-reversals"].Should().Be(1);
        (await Db.ScalarAsync<long>("SELECT COUNT(*) FROM signals WHERE action = 'buy'")).Should().Be(0);

        // A second, stronger article: (0.5 + 0.5 + 0.9 + 0.9) / 4 = 0.7 reaches the reversal threshold.
        clock.Advance(TimeSpan.FromMinutes(1));
        await Db.AddPredictedArticleAsync("000660", clock.GetUtcNow(), ("m1", "up", "high", 0.9), ("m2", "up", "high", 0.9));
        (await RunAsync(services)).Items.Should().Be(1);

        var buy = (await Db.QueryAsync<ReversalRow>(
            "SELECT id AS Id, reversal AS Reversal, reversal_of AS ReversalOf, score AS Score, details AS Details FROM signals WHERE action = 'buy'")).Single();
        (buy.Reversal, buy.ReversalOf).Should().Be((1L, sellId));
        buy.Score.Should().BeApproximately(0.7, 1e-9);
        var details = JsonSerializer.Deserialize(buy.Details, SignalDetailsJson.Default.SignalDetails)!;
        details.Reverses.Should().BeEquivalentTo(new ReversedSignal(sellId, "sell", SignalsTestDatabase.Start));
    }

    [SkippableFact]
    public async Task RunAsync_OppositeSignalOutsideDedupWindow_OrdinarySignal()
    {
        var clock = SignalsTestDatabase.NewClock();
        await using var services = Db.BuildServices(clock);
        services.GetRequiredService<MarketData>().Publish(SignalDeciderTests.Portfolio(clock.GetUtcNow(), "000660"));
        await Db.AddPredictedArticleAsync("000660", clock.GetUtcNow(), ("m1", "down", "high", 0.9), ("m2", "down", "high", 0.9));
        await RunAsync(services);

        clock.Advance(TimeSpan.FromHours(25));
        await Db.AddPredictedArticleAsync("000660", clock.GetUtcNow(), ("m1", "up", "high", 0.5), ("m2", "up", "high", 0.5));

        (await RunAsync(services)).Items.Should().Be(1, "0.5 is enough once the sell is older than the dedup window");
        (await Db.ScalarAsync<long>("SELECT reversal FROM signals WHERE action = 'buy'")).Should().Be(0);
    }

    [SkippableFact]
    public async Task RunAsync_MinArticlesTwo_OneArticleRefusedSecondArticleSignals()
    {
        var clock = SignalsTestDatabase.NewClock();
        await using var services = Db.BuildServices(clock, new Dictionary<string, string?> { ["Signals:MinArticles"] = "2" });
        // One article, very sure of itself (as an article carrying an instruction to the models would make them).
        await Db.AddPredictedArticleAsync("005930", clock.GetUtcNow(), ("m1", "up", "high", 1.0), ("m2", "up", "high", 1.0));

        var alone = await RunAsync(services);

        alone.Items.Should().Be(0);
        alone.Summary.Should().Contain("1 refused");

        clock.Advance(TimeSpan.FromMinutes(5));
        await Db.AddPredictedArticleAsync("005930", clock.GetUtcNow(), ("m1", "up", "medium", 0.7), ("m2", "up", "high", 0.6));

        (await RunAsync(services)).Items.Should().Be(1);
        (await Db.ScalarAsync<string>("SELECT reason FROM signals")).Should().Contain("on 2 articles");
    }

    [SkippableFact]
    public async Task RunAsync_DefaultMinArticles_OneArticleIsEnough()
    {
        var clock = SignalsTestDatabase.NewClock();
        await using var services = Db.BuildServices(clock);
        await Db.AddPredictedArticleAsync("005930", clock.GetUtcNow(), ("m1", "up", "high", 0.8), ("m2", "up", "high", 0.8));

        (await RunAsync(services)).Items.Should().Be(1);
    }

    [SkippableFact]
    public async Task RunAsync_Signal_StoresNameVotesAndArticlesCleaned()
    {
        var clock = SignalsTestDatabase.NewClock();
        await using var services = Db.BuildServices(clock);
        services.GetRequiredService<MarketData>().Publish(new Fetched<ScreenerResult>(
            new ScreenerResult("preview", clock.GetUtcNow(), [new ScreenerRow(1, "035420", 90, "NAVER")]), clock.GetUtcNow()));
        await Db.AddArticleAsync(
            new TestArticle("035420", clock.GetUtcNow().AddMinutes(-3), Id: "n-1", Title: "NAVER 사상 최대 실적", Url: "https://news.example/1"),
            new TestVote("lexicon", "up", "high", 0.7, "score +4 from 사상 최대,\u0007 최대 실적\u202E"),
            new TestVote("sentiment", "up", "high", 0.99, new string('x', 500)));

        (await RunAsync(services)).Items.Should().Be(1);

        var row = (await Db.QueryAsync<NamedRow>("SELECT name AS Name, details AS Details FROM signals")).Single();
        row.Name.Should().Be("NAVER");
        var details = JsonSerializer.Deserialize(row.Details, SignalDetailsJson.Default.SignalDetails)!;
        details.Name.Should().Be("NAVER");
        details.Votes.Select(v => (v.Model, v.Direction, v.Impact, v.Confidence, v.Weight)).Should().Equal(("lexicon", "up", "high", 0.7, 1.0), ("sentiment", "up", "high", 0.99, 1.0));
        details.Votes[0].Reasoning.Should().Be("score +4 from 사상 최대, 최대 실적");
        details.Votes[1].Reasoning!.Length.Should().Be(EvidenceBuilder.ReasoningExcerpt);
        details.Votes[1].Reasoning.Should().EndWith("…");
        var article = details.Articles.Should().ContainSingle().Subject;
        (article.Id, article.Title, article.Url).Should().Be(("n-1", "NAVER 사상 최대 실적", "https://news.example/1"));
        article.ArrivedAt.Should().Be(clock.GetUtcNow().AddMinutes(-3));
    }

    [SkippableFact]
    public async Task RunAsync_NoNameFromUpstream_LastKnownNameOfTheTicker()
    {
        var clock = SignalsTestDatabase.NewClock();
        await using (var first = Db.BuildServices(clock))
        {
            var at = clock.GetUtcNow();
            first.GetRequiredService<MarketData>().Publish(new Fetched<Portfolio>(new Portfolio(at, 1, 2, [new Holding("005930", "삼성전자", 10, 100m, 110m, 10.0)]), at));
            await Db.AddPredictedArticleAsync("005930", clock.GetUtcNow(), ("m1", "up", "high", 0.8), ("m2", "up", "high", 0.8));
            await RunAsync(first);
        }

        // A restart a day later: nothing fetched yet, so the name comes from the last signal.
        clock.Advance(TimeSpan.FromHours(25));
        await using var restarted = Db.BuildServices(clock);
        await Db.AddPredictedArticleAsync("005930", clock.GetUtcNow(), ("m1", "up", "high", 0.8), ("m2", "up", "high", 0.8));
        await RunAsync(restarted);

        (await Db.QueryAsync<string>("SELECT name FROM signals ORDER BY id")).Should().Equal("삼성전자", "삼성전자");
    }

    [SkippableFact]
    public void Validate_ReversalThresholdBelowBuyThreshold_Problem()
    {
        var problems = new Worker.Configuration.OptionsProblems("Signals");

        new SignalsOptions { BuyThreshold = 0.7, ReversalThreshold = 0.6 }.Validate(problems);

        problems.All.Should().ContainSingle().Which.Should().Be("Signals:ReversalThreshold must be at least BuyThreshold and SellThreshold");
    }

    private static Task<StageResult> RunAsync(IServiceProvider services) =>
        services.GetRequiredService<SignalStage>().RunAsync(new StageContext(), CancellationToken.None);

    private sealed record ReversalRow(long Id, long Reversal, long? ReversalOf, double Score, string Details);

    private sealed record NamedRow(string? Name, string Details);

    public sealed class OnSqlite() : SignalRulesTests(StorageProvider.Sqlite);

    public sealed class OnPostgres() : SignalRulesTests(StorageProvider.Postgres);
}
