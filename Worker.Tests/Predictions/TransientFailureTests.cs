using KrxSignal.Worker.Pipeline;
using KrxSignal.Worker.Storage;
using KrxSignal.Worker.Tests.Support;
using Microsoft.Extensions.Time.Testing;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;

namespace KrxSignal.Worker.Tests.Predictions;

/// <summary>
/// Transient failures (HTTP 503 here) spend none of a pair's Predictions:MaxAttempts: only MaxAge ends their
/// retries, while a non-transient failure (an answer that fails validation) is still bounded by MaxAttempts.
/// </summary>
public sealed class TransientFailureTests : IDisposable
{
    // 10:00 KST on Thursday 19 November 2026.
    private static readonly DateTimeOffset Start = new(2026, 11, 19, 1, 0, 0, TimeSpan.Zero);

    // Longer than the breaker's one-minute break: every cycle after the first lets one half-open trial call through.
    private static readonly TimeSpan Cycle = TimeSpan.FromSeconds(61);
    private readonly FakeModelServer _fake = new();

    public void Dispose() => _fake.Dispose();

    [SkippableTheory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task RunAsync_ModelDownForMoreProbesThanMaxAttempts_FailedPairsAreKeptAndPredictedAfterRecovery(StorageProvider provider)
    {
        const int articles = 8;
        const int maxAttempts = 1;
        Down();
        var time = new FakeTimeProvider(Start);
        using var host = await StartAsync(provider, time, ("Predictions:MaxAttempts", maxAttempts.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        for (var i = 0; i < articles; i++)
        {
            await host.InsertArticleAsync($"a{i}", "005930", $"title a{i}", Start.AddMinutes(-10 - i));
        }

        // The first cycle opens the breaker (six failures); each of the next eleven is a single half-open trial that fails.
        for (var cycle = 0; cycle < 12; cycle++)
        {
            await host.Stage.RunAsync(new StageContext(), CancellationToken.None);
            time.Advance(Cycle);
        }

        var calls = _fake.Server.LogEntries.Count;
        calls.Should().BeGreaterThan(articles * maxAttempts, "failed pairs were asked again beyond MaxAttempts: an outage spends none of their attempts");
        var during = await GptRowsAsync(host);
        during.Should().NotBeEmpty().And.OnlyContain(r => r.Status == "failed" && r.Transient == 1 && r.Attempts == 0 && r.Error == "HTTP 503 ServiceUnavailable");

        Up();
        var recovered = await host.Stage.RunAsync(new StageContext(), CancellationToken.None);

        recovered.Outcome.Should().Be(StageOutcome.Ok, recovered.Summary);
        var final = await GptRowsAsync(host);
        final.Should().HaveCount(articles).And.OnlyContain(r => r.Status == "ok" && r.Transient == 0 && r.Attempts == 1 && r.Error == null);
        (await host.PredictedArticlesAsync()).Should().HaveCount(articles);
    }

    [SkippableTheory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task RunAsync_TransientlyFailedPairOlderThanMaxAge_ClosedAsExpiredWithoutAnotherCall(StorageProvider provider)
    {
        Down();
        var time = new FakeTimeProvider(Start);
        using var host = await StartAsync(provider, time, ("Predictions:MaxAge", "00:30:00"));
        await host.InsertArticleAsync("old", "005930", "title old", Start.AddMinutes(-25));
        await host.InsertArticleAsync("young", "005930", "title young", Start);

        await host.Stage.RunAsync(new StageContext(), CancellationToken.None);
        (await GptRowsAsync(host)).Should().HaveCount(2).And.OnlyContain(r => r.Status == "failed" && r.Transient == 1);

        time.Advance(TimeSpan.FromMinutes(6)); // "old" is now 31 minutes old, "young" 6
        await host.Stage.RunAsync(new StageContext(), CancellationToken.None);
        time.Advance(TimeSpan.FromMinutes(1));
        await host.Stage.RunAsync(new StageContext(), CancellationToken.None);

        var old = await host.PredictionAsync("old", "gpt");
        old.Status.Should().Be("skipped");
        old.Error.Should().Be("expired: the article is older than Predictions:MaxAge (00:30:00) and gpt last failed transiently");
        old.Transient.Should().Be(1);
        old.Attempts.Should().Be(0);
        CallsFor("title old").Should().Be(1, "an expired pair is closed without asking the model again");
        var young = await host.PredictionAsync("young", "gpt");
        young.Status.Should().Be("failed");
        young.Transient.Should().Be(1);
        CallsFor("title young").Should().Be(3, "a young pair is retried every run while the model is down");
    }

    [SkippableTheory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task RunAsync_InvalidAnswersAfterAnOutage_StillStopAtMaxAttempts(StorageProvider provider)
    {
        Down();
        var time = new FakeTimeProvider(Start);
        using var host = await StartAsync(provider, time, ("Predictions:MaxAttempts", "2"));
        await host.InsertArticleAsync("a1", "005930", "t", Start);
        for (var run = 0; run < 3; run++)
        {
            await host.Stage.RunAsync(new StageContext(), CancellationToken.None);
            time.Advance(TimeSpan.FromSeconds(10));
        }

        (await host.PredictionAsync("a1", "gpt")).Attempts.Should().Be(0, "three 503s used none of the two attempts");

        _fake.Server.Reset();
        _fake.Server.Replies("/gpt", ProviderDoubles.Completion("""{"direction":"sideways","impact":"high","confidence":0.5,"reasoning":"x"}"""));
        for (var run = 0; run < 4; run++)
        {
            await host.Stage.RunAsync(new StageContext(), CancellationToken.None);
            time.Advance(TimeSpan.FromSeconds(10));
        }

        var row = await host.PredictionAsync("a1", "gpt");
        row.Status.Should().Be("failed");
        row.Transient.Should().Be(0);
        row.Error.Should().Contain("direction 'sideways' is not up, down or neutral");
        row.Attempts.Should().Be(2);
        _fake.Server.LogEntries.Should().HaveCount(2, "the invalid answer was asked for exactly MaxAttempts times, the outage before it not counted");
    }

    // The built-in offline models keep their default places in Models beside gpt; only gpt's rows are under test.
    private static async Task<List<StoredPrediction>> GptRowsAsync(PredictionHost host) => (await host.PredictionsAsync()).Where(r => r.ModelId == "gpt").ToList();

    private int CallsFor(string title) => _fake.Server.RequestsTo("/gpt", body => body.Contains(title, StringComparison.Ordinal));

    private async Task<PredictionHost> StartAsync(StorageProvider provider, FakeTimeProvider time, params (string Key, string Value)[] more)
    {
        var settings = await MigratedDatabases.HostSettingsAsync(provider);
        foreach (var (key, value) in PredictionHost.Model(
            0, "gpt", "openai",
            ("BaseUrl", _fake.Server.Url + "/gpt"), ("Model", "m"), ("ApiKeyEnv", _fake.KeyVariable), ("MaxRetries", "0"), ("MaxConcurrency", "1")))
        {
            settings[key] = value;
        }

        foreach (var (key, value) in more)
        {
            settings[key] = value;
        }

        return await PredictionHost.StartAsync(_fake.Folder, settings, time);
    }

    private void Down()
    {
        _fake.Server.Reset();
        _fake.Server.Given(Request.Create().WithPath("/gpt/chat/completions").UsingPost())
            .RespondWith(Response.Create().WithStatusCode(503).WithHeader("Content-Type", "application/json").WithBody("""{"error":{"message":"overloaded"}}"""));
    }

    private void Up()
    {
        _fake.Server.Reset();
        _fake.Server.Replies("/gpt", ProviderDoubles.Completion(ProviderDoubles.Answer()));
    }
}
