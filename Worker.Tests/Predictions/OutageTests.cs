using KrxSignal.Worker.Health;
using KrxSignal.Worker.Pipeline;
using KrxSignal.Worker.Predictions;
using KrxSignal.Worker.Storage;
using KrxSignal.Worker.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;

namespace KrxSignal.Worker.Tests.Predictions;

/// <summary>A model outage on fake time: an open circuit defers pairs instead of closing them.</summary>
public sealed class OutageTests : IDisposable
{
    // 10:00 KST on Thursday 19 November 2026.
    private static readonly DateTimeOffset Start = new(2026, 11, 19, 1, 0, 0, TimeSpan.Zero);
    private readonly FakeModelServer _fake = new();

    public void Dispose() => _fake.Dispose();

    [SkippableTheory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task RunAsync_EveryModelDownForThreeCycles_ArticlesStayPendingAndYoungOnesArePredictedAfterRecovery(StorageProvider provider)
    {
        Down();
        var time = new FakeTimeProvider(Start);
        var settings = await MigratedDatabases.HostSettingsAsync(provider);
        foreach (var pair in Model(0, "gpt", "/gpt"))
        {
            settings[pair.Key] = pair.Value;
        }

        foreach (var pair in Model(1, "qwen", "/qwen"))
        {
            settings[pair.Key] = pair.Value;
        }

        settings["Predictions:MaxAge"] = "00:30:00";
        using var host = await PredictionHost.StartAsync(_fake.Folder, settings, time);
        for (var i = 0; i < 8; i++)
        {
            await host.InsertArticleAsync($"a{i}", "005930", "t", Start.AddMinutes(-10 - i));
        }

        // Young at the first two cycles, past MaxAge (30 min) at the third.
        await host.InsertArticleAsync("old", "005930", "t", Start.AddMinutes(-29).AddSeconds(-40));

        var outcomes = new List<StageResult>();
        for (var cycle = 0; cycle < 3; cycle++)
        {
            outcomes.Add(await host.Stage.RunAsync(new StageContext(), CancellationToken.None));
            time.Advance(TimeSpan.FromSeconds(20));
        }

        outcomes.Should().OnlyContain(r => r.Outcome == StageOutcome.Partial, "a run with an open circuit did not do its work");
        outcomes[^1].Summary.Should().Contain("deferred: circuit open for gpt, qwen");
        var rows = await host.PredictionsAsync();
        rows.Where(r => r.Status == "skipped").Should().OnlyContain(r => r.ArticleId == "old" && r.Error!.StartsWith("expired: ", StringComparison.Ordinal));
        rows.Where(r => r.Status == "failed").Should().OnlyContain(r => r.Attempts == 0 && r.Transient == 1 && r.Error == "HTTP 503 ServiceUnavailable",
            "the calls made before the breaker opened failed transiently, which uses no attempt; later refusals use none either");
        var rowless = Enumerable.Range(0, 8).Select(i => $"a{i}").Where(a => rows.Count(r => r.ArticleId == a) < 2).ToList();
        rowless.Should().NotBeEmpty();
        (await host.PredictedArticlesAsync()).Should().NotIntersectWith(rowless, "an article is not predicted while one of its pairs is deferred");
        var draft = new HeartbeatDraft();
        await host.Services.GetServices<IHeartbeatContributor>().OfType<PredictionsHealth>().Single().ContributeAsync(draft, CancellationToken.None);
        draft.Reasons.Should().Contain("model gpt circuit is open: its calls are deferred for now").And.Contain("model qwen circuit is open: its calls are deferred for now");

        Up();
        time.Advance(TimeSpan.FromMinutes(1)); // the break is over: the breaker lets a trial call through
        var recovered = await host.Stage.RunAsync(new StageContext(), CancellationToken.None);

        recovered.Outcome.Should().Be(StageOutcome.Ok, recovered.Summary);
        var final = await host.PredictionsAsync();
        final.Where(r => r.ArticleId != "old").Should().HaveCount(16).And.OnlyContain(r => r.Status == "ok");
        final.Where(r => r.ArticleId == "old").Should().OnlyContain(r => r.Status == "skipped" || r.Status == "ok");
        (await host.PredictedArticlesAsync()).Should().HaveCount(9);
    }

    private void Down()
    {
        _fake.Server.Reset();
        foreach (var path in new[] { "/gpt", "/qwen" })
        {
            _fake.Server.Given(Request.Create().WithPath($"{path}/chat/completions").UsingPost())
                .RespondWith(Response.Create().WithStatusCode(503).WithHeader("Content-Type", "application/json").WithBody("""{"error":{"message":"overloaded"}}"""));
        }
    }

    private void Up()
    {
        _fake.Server.Reset();
        _fake.Server.Replies("/gpt", ProviderDoubles.Completion(ProviderDoubles.Answer()));
        _fake.Server.Replies("/qwen", ProviderDoubles.Completion(ProviderDoubles.Answer()));
    }

    private Dictionary<string, string?> Model(int index, string id, string path) => PredictionHost.Model(
        index, id, "openai",
        ("BaseUrl", _fake.Server.Url + path), ("Model", "m"), ("ApiKeyEnv", _fake.KeyVariable), ("MaxRetries", "0"), ("MaxConcurrency", "1"));
}
