using KrxSignal.Worker.Pipeline;
using KrxSignal.Worker.Predictions;
using KrxSignal.Worker.Predictions.Models;
using KrxSignal.Worker.Predictions.OpenAi;
using KrxSignal.Worker.Storage;
using KrxSignal.Worker.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Time.Testing;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;

namespace KrxSignal.Worker.Tests.Predictions;

public sealed class BudgetAndRestartTests : IDisposable
{
    // 10:00 KST on Thursday 19 November 2026.
    private static readonly DateTimeOffset Morning = new(2026, 11, 19, 1, 0, 0, TimeSpan.Zero);
    private readonly FakeModelServer _fake = new();

    public void Dispose() => _fake.Dispose();

    [SkippableTheory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task RunAsync_DailyBudgetSpent_SkipsModelUntilKstMidnight(StorageProvider provider)
    {
        // 1,000 prompt tokens at 1,000 USD per million: every call costs exactly the 1 USD budget.
        _fake.Server.Given(Request.Create().WithPath("/v1/chat/completions").UsingPost())
            .RespondWith(Response.Create().WithStatusCode(200).WithHeader("Content-Type", "application/json")
                .WithBody(ChatReplies.Completion(ChatReplies.ValidAnswer, promptTokens: 1000, completionTokens: 0)));
        var time = new FakeTimeProvider(Morning);
        using var host = await PredictionHost.StartAsync(_fake.Folder, await SettingsAsync(provider), time);
        await host.InsertArticleAsync("a1", "005930", "t", Morning.AddMinutes(-5));

        await host.Stage.RunAsync(new StageContext(), CancellationToken.None);
        await host.InsertArticleAsync("a2", "005930", "t", Morning.AddMinutes(1));
        time.Advance(TimeSpan.FromHours(13)); // 23:00 KST, same day
        await host.Stage.RunAsync(new StageContext(), CancellationToken.None);

        (await host.PredictionAsync("a1", "gpt")).Status.Should().Be("ok");
        var skipped = await host.PredictionAsync("a2", "gpt");
        skipped.Status.Should().Be("skipped");
        skipped.Error.Should().StartWith("budget:");
        (await host.UsageAsync("2026-11-19", "gpt")).Should().Be((1L, 0L, 1000L, 1.0));
        (await host.PredictedArticlesAsync()).Should().Equal("a1", "a2");

        time.Advance(TimeSpan.FromHours(1) + TimeSpan.FromSeconds(1)); // 00:00:01 KST on the 20th
        await host.InsertArticleAsync("a3", "005930", "t", time.GetUtcNow());
        await host.Stage.RunAsync(new StageContext(), CancellationToken.None);

        (await host.PredictionAsync("a3", "gpt")).Status.Should().Be("ok");
        (await host.PredictionAsync("a2", "gpt")).Status.Should().Be("skipped", "a skipped pair is not retried");
        (await host.UsageAsync("2026-11-20", "gpt")).Calls.Should().Be(1);
        _fake.Server.LogEntries.Should().HaveCount(2);
    }

    [SkippableTheory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task RunAsync_CancelledMidBatchThenFreshHost_FinishesWithoutDuplicates(StorageProvider provider)
    {
        var settings = new Dictionary<string, string?>(await MigratedDatabases.HostSettingsAsync(provider))
        {
            ["Models:0:Id"] = "lexicon",
            ["Models:0:Provider"] = "lexicon",
            ["Models:1:Id"] = "sentiment",
            ["Models:1:Provider"] = "sentiment",
            ["Models:2:Id"] = "gpt",
            ["Models:2:Provider"] = "openai",
            ["Models:2:BaseUrl"] = "http://127.0.0.1:9",
            ["Models:2:Model"] = "m",
            ["Models:2:ApiKeyEnv"] = _fake.KeyVariable,
            ["Predictions:MaxConcurrentArticles"] = "2",
        };

        // The first "process": its openai model answers four calls, then hangs until the run is abandoned.
        var gate = new GateModel(answerFirst: 4);
        using (var first = await PredictionHost.StartAsync(_fake.Folder, settings, configure: s => ReplaceOpenAi(s, gate)))
        {
            for (var i = 0; i < 10; i++)
            {
                await first.InsertArticleAsync($"a{i:00}", "005930", "삼성전자 수주", Morning.AddMinutes(i));
            }

            using var kill = new CancellationTokenSource();
            var run = first.Stage.RunAsync(new StageContext(), kill.Token);
            await gate.Hanging.WaitAsync(TimeSpan.FromSeconds(10));
            await kill.CancelAsync();
            await FluentActions.Awaiting(() => run).Should().ThrowAsync<OperationCanceledException>();

            (await first.PredictedArticlesAsync()).Should().HaveCountLessThan(10, "the batch was cut in the middle");
            (await first.PredictionsAsync()).Should().NotBeEmpty();
        }

        // The restarted "process" over the same database.
        using var second = await PredictionHost.StartAsync(_fake.Folder, settings, configure: s => ReplaceOpenAi(s, new GateModel(answerFirst: int.MaxValue)));
        await second.Stage.RunAsync(new StageContext(), CancellationToken.None);

        var rows = await second.PredictionsAsync();
        rows.Should().HaveCount(30);
        rows.GroupBy(r => (r.ArticleId, r.ModelId)).Should().OnlyContain(g => g.Count() == 1);
        rows.Should().OnlyContain(r => r.Status == "ok" && r.Attempts == 1);
        (await second.PredictedArticlesAsync()).Should().HaveCount(10);
        (await second.Stage.RunAsync(new StageContext(), CancellationToken.None)).Items.Should().Be(0);
    }

    private static void ReplaceOpenAi(IServiceCollection services, IPredictionModel replacement)
    {
        services.RemoveAll<IPredictionModel>();
        services.AddSingleton<IPredictionModel, LexiconModel>();
        services.AddSingleton<IPredictionModel, SentimentModel>();
        services.AddSingleton(replacement);
    }

    private async Task<Dictionary<string, string?>> SettingsAsync(StorageProvider provider)
    {
        var settings = await MigratedDatabases.HostSettingsAsync(provider);
        foreach (var (key, value) in PredictionHost.Model(
            0, "gpt", "openai",
            ("BaseUrl", _fake.Server.Url + "/v1"), ("Model", "m"), ("ApiKeyEnv", _fake.KeyVariable),
            ("DailyBudgetUsd", "1"), ("InputUsdPerMillionTokens", "1000")))
        {
            settings[key] = value;
        }

        return settings;
    }

    /// <summary>An "openai" model in process: answers a number of calls, then hangs until cancelled.</summary>
    private sealed class GateModel(int answerFirst) : IPredictionModel
    {
        private readonly TaskCompletionSource _hanging = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _calls;

        public string Provider => "openai";

        public Task Hanging => _hanging.Task;

        public async Task<ModelAnswer> PredictAsync(ModelOptions model, PendingArticle article, CancellationToken cancellationToken)
        {
            if (Interlocked.Increment(ref _calls) > answerFirst)
            {
                _hanging.TrySetResult();
                await Task.Delay(Timeout.InfiniteTimeSpan, TimeProvider.System, cancellationToken);
            }

            return AnswerParser.Parse(ChatReplies.ValidAnswer, 10, 5);
        }
    }
}
