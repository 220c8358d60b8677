using KrxSignal.Worker.Pipeline;
using KrxSignal.Worker.Signals;
using KrxSignal.Worker.StockApi;
using Microsoft.Extensions.DependencyInjection;
using KrxSignal.Worker.Storage;

namespace KrxSignal.Worker.Tests.Signals;

public abstract class SignalStageTests(StorageProvider provider) : SignalsDatabaseTest(provider)
{
    [SkippableFact]
    public async Task RunAsync_RecentPredictions_StoresSignalWithHandComputedScore()
    {
        var clock = SignalsTestDatabase.NewClock();
        // Arrived outside the 60-minute lookback: must not count (it would raise the score to 3.1 / 3.9 = 0.79).
        await Db.AddPredictedArticleAsync("005930", clock.GetUtcNow().AddMinutes(-61), ("m1", "up", "high", 1.0), ("m2", "up", "high", 1.0));
        // up high 0.8 (w 1.0), up medium 0.5 (w 0.6), neutral low 1.0 (w 0.3): 1.1 / 1.9 = 0.578947…
        await Db.AddPredictedArticleAsync("005930", clock.GetUtcNow().AddMinutes(-5), ("lexicon", "up", "high", 0.8), ("sentiment", "up", "medium", 0.5), ("gpt", "neutral", "low", 1.0));
        await using var services = Db.BuildServices(clock);

        var result = await services.GetRequiredService<SignalStage>().RunAsync(new StageContext(), CancellationToken.None);

        result.Items.Should().Be(1);
        var row = (await Db.QueryAsync<(string Ticker, string Action, double Score, double Confidence, string Reason, string Status)>(
            "SELECT ticker, action, score, confidence, reason, status FROM signals")).Should().ContainSingle().Subject;
        (row.Ticker, row.Action, row.Status).Should().Be(("005930", "buy", "pending"));
        row.Score.Should().BeApproximately(1.1 / 1.9, 1e-9);
        row.Confidence.Should().BeApproximately(1.1 / 1.9, 1e-9);
        row.Reason.Should().Contain("3 predictions").And.Contain("3 models").And.Contain("holdings not checked: portfolio missing");
        (await Db.ScalarAsync<DateTimeOffset>("SELECT last_sent FROM signal_dedup WHERE ticker = '005930' AND action = 'buy'"))
            .Should().Be(new DateTimeOffset(2026, 11, 19, 1, 0, 0, TimeSpan.Zero));
    }

    [SkippableFact]
    public async Task RunAsync_SellForUnheldTicker_NoSignalRow()
    {
        var clock = SignalsTestDatabase.NewClock();
        await Db.AddPredictedArticleAsync("000660", clock.GetUtcNow().AddMinutes(-1), ("m1", "down", "high", 0.9), ("m2", "down", "high", 0.8));
        await using var services = Db.BuildServices(clock);
        services.GetRequiredService<MarketData>().Publish(SignalDeciderTests.Portfolio(clock.GetUtcNow().AddMinutes(-2), "005930"));

        var result = await services.GetRequiredService<SignalStage>().RunAsync(new StageContext(), CancellationToken.None);

        result.Summary.Should().Contain("1 refused");
        (await Db.ScalarAsync<long>("SELECT COUNT(*) FROM signals")).Should().Be(0);
    }

    [SkippableFact]
    public async Task RunAsync_EightConcurrentRunsThenRestartThenWindowPasses_OneSignalPerWindow()
    {
        var clock = SignalsTestDatabase.NewClock();
        await Db.AddPredictedArticleAsync("005930", clock.GetUtcNow(), ("m1", "up", "high", 0.9), ("m2", "up", "medium", 0.9));

        // Eight stages over the same file, each with its own container: as good as eight processes for SQLite's locking.
        var containers = Enumerable.Range(0, 8).Select(_ => Db.BuildServices(clock)).ToList();
        // A blocking gate on purpose: all eight threads are released at the same instant, for the most contention.
        using var start = new ManualResetEventSlim();
        var runs = containers.Select(c => Task.Run(async () =>
        {
            start.Wait();
            return await c.GetRequiredService<SignalStage>().RunAsync(new StageContext(), CancellationToken.None);
        })).ToList();
        start.Set();
        var results = await Task.WhenAll(runs);
        await Task.WhenAll(containers.Select(c => c.DisposeAsync().AsTask()));

        results.Sum(r => r.Items).Should().Be(1);
        results.Count(r => r.Summary.Contains("1 suppressed", StringComparison.Ordinal)).Should().Be(7);
        (await CountSignalsAsync()).Should().Be(1);

        // A restart inside the window: a new container, fresh predictions, 23 h 59 min later.
        clock.Advance(TimeSpan.FromHours(24) - TimeSpan.FromMinutes(1));
        await Db.AddPredictedArticleAsync("005930", clock.GetUtcNow(), ("m1", "up", "high", 0.9), ("m2", "up", "medium", 0.9));
        await using (var restarted = Db.BuildServices(clock))
        {
            (await restarted.GetRequiredService<SignalStage>().RunAsync(new StageContext(), CancellationToken.None)).Items.Should().Be(0);
        }

        (await CountSignalsAsync()).Should().Be(1);

        // The window (24 h from the first signal) has passed: a new signal.
        clock.Advance(TimeSpan.FromMinutes(1) + TimeSpan.FromMilliseconds(1));
        await using (var later = Db.BuildServices(clock))
        {
            (await later.GetRequiredService<SignalStage>().RunAsync(new StageContext(), CancellationToken.None)).Items.Should().Be(1);
        }

        (await CountSignalsAsync()).Should().Be(2);
        (await Db.ScalarAsync<DateTimeOffset>("SELECT last_sent FROM signal_dedup")).Should().Be(new DateTimeOffset(2026, 11, 20, 1, 0, 0, 1, TimeSpan.Zero));
    }

    private Task<long> CountSignalsAsync() => Db.ScalarAsync<long>("SELECT COUNT(*) FROM signals WHERE ticker = '005930' AND action = 'buy'");

    public sealed class OnSqlite() : SignalStageTests(StorageProvider.Sqlite);

    public sealed class OnPostgres() : SignalStageTests(StorageProvider.Postgres);
}
