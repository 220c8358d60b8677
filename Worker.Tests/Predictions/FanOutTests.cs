using KrxSignal.Worker.Pipeline;
using KrxSignal.Worker.Tests.Support;
using Microsoft.Extensions.Time.Testing;
using WireMock;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;

namespace KrxSignal.Worker.Tests.Predictions;

/// <summary>The predict stage against fake OpenAI-compatible models on loopback (WireMock.Net).</summary>
public sealed class FanOutTests : IDisposable
{
    private static readonly DateTimeOffset Published = new(2026, 11, 19, 0, 30, 0, TimeSpan.Zero);
    private readonly FakeModelServer _fake = new();
    private readonly TaskCompletionSource _slowModelAsked = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _slowModelAnswers = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public void Dispose()
    {
        _slowModelAnswers.TrySetResult(); // lets the server finish its pending reply, so it stops at once
        _fake.Dispose();
    }

    [Fact]
    public async Task RunAsync_OneModelTimesOut_OtherRowsDoNotWaitBeyondItsTimeout()
    {
        Reply("/fast", ChatReplies.Completion(ChatReplies.ValidAnswer));
        _fake.Server.Given(Request.Create().WithPath("/slow/chat/completions").UsingPost()).RespondWith(Response.Create().WithCallback(async _ =>
        {
            _slowModelAsked.TrySetResult();
            await _slowModelAnswers.Task; // a model that never answers while the test runs
            return new ResponseMessage { StatusCode = 200 };
        }));
        var time = new FakeTimeProvider(Published.AddMinutes(1));
        using var host = await PredictionHost.StartAsync(
            _fake.Folder,
            Settings(PredictionHost.Model(0, "lexicon", "lexicon"), OpenAi(1, "fast", "/fast"), OpenAi(2, "slow", "/slow", ("Timeout", "00:00:00.500"), ("MaxRetries", "0"))),
            time);
        await host.InsertArticleAsync("a1", "005930", "삼성전자 급등", Published);

        var run = host.Stage.RunAsync(new StageContext(), CancellationToken.None);
        await Until.TrueAsync(
            async () => _slowModelAsked.Task.IsCompleted && (await host.PredictionsAsync()).Count == 2,
            "the lexicon and fast rows written while the slow model's request is out");
        var beforeTheTimeout = run.IsCompleted;
        time.Advance(TimeSpan.FromMilliseconds(500));
        var result = await run.WaitAsync(TimeSpan.FromSeconds(30), TimeProvider.System);

        // The fast rows landed with the clock standing still; the article took exactly the slow model's timeout.
        beforeTheTimeout.Should().BeFalse("the slow model's request is still out");
        result.Items.Should().Be(3);
        var fast = await host.PredictionAsync("a1", "fast");
        fast.Status.Should().Be("ok");
        fast.LatencyMs.Should().Be(0);
        var slow = await host.PredictionAsync("a1", "slow");
        slow.Status.Should().Be("failed");
        slow.Error.Should().Be("timed out after 0.5 s");
        slow.LatencyMs.Should().Be(500);
        (await host.PredictedArticlesAsync()).Should().Equal("a1");
    }

    [Fact]
    public async Task RunAsync_ModelAnswersProse_FailedWithReasonThenRetriedByLaterRun()
    {
        Reply("/chat", ChatReplies.Completion("I think the stock will probably go up a little."));
        using var host = await StartAsync(PredictionHost.Model(0, "lexicon", "lexicon"), OpenAi(1, "gpt", "/chat"));
        await host.InsertArticleAsync("a1", "005930", "Samsung beats estimates", Published);

        await host.Stage.RunAsync(new StageContext(), CancellationToken.None);

        var failed = await host.PredictionAsync("a1", "gpt");
        failed.Status.Should().Be("failed");
        failed.Error.Should().StartWith("invalid answer: reply is not a JSON object");
        failed.Attempts.Should().Be(1);
        (await host.PredictedArticlesAsync()).Should().Equal(["a1"], "one broken model never holds an article back");

        _fake.Server.Reset();
        Reply("/chat", ChatReplies.Completion(ChatReplies.ValidAnswer));
        var retry = await host.Stage.RunAsync(new StageContext(), CancellationToken.None);

        retry.Items.Should().Be(1);
        var ok = await host.PredictionAsync("a1", "gpt");
        ok.Status.Should().Be("ok");
        ok.Attempts.Should().Be(2);
        ok.Error.Should().BeNull();
        (await host.PredictionsAsync()).Should().HaveCount(2);
    }

    [Fact]
    public async Task RunAsync_FailingModel_StopsRetryingAtMaxAttempts()
    {
        Reply("/chat", ChatReplies.Completion("""{"direction":"sideways","impact":"high","confidence":0.5,"reasoning":"x"}"""));
        using var host = await StartAsync(OpenAi(0, "gpt", "/chat"), new Dictionary<string, string?> { ["Predictions:MaxAttempts"] = "2" });
        await host.InsertArticleAsync("a1", "005930", "t", Published);

        for (var run = 0; run < 4; run++)
        {
            await host.Stage.RunAsync(new StageContext(), CancellationToken.None);
        }

        var row = await host.PredictionAsync("a1", "gpt");
        row.Status.Should().Be("failed");
        row.Error.Should().Contain("direction 'sideways' is not up, down or neutral");
        row.Attempts.Should().Be(2);
        _fake.Server.LogEntries.Should().HaveCount(2);
    }

    [Fact]
    public async Task RunAsync_429WithRetryAfter_RetriedAfterTheClampedWait()
    {
        _fake.Server.Given(Request.Create().WithPath("/chat/chat/completions").UsingPost())
            .InScenario("rate").WillSetStateTo("open")
            .RespondWith(Response.Create().WithStatusCode(429).WithHeader("Retry-After", "3600"));
        _fake.Server.Given(Request.Create().WithPath("/chat/chat/completions").UsingPost())
            .InScenario("rate").WhenStateIs("open")
            .RespondWith(Json(ChatReplies.Completion(ChatReplies.ValidAnswer)));
        using var host = await StartAsync(
            OpenAi(0, "gpt", "/chat", ("MaxRetries", "2")),
            new Dictionary<string, string?> { ["Predictions:MaxRetryAfter"] = "00:00:01" });
        await host.InsertArticleAsync("a1", "005930", "t", Published);

        await host.Stage.RunAsync(new StageContext(), CancellationToken.None);

        (await host.PredictionAsync("a1", "gpt")).Status.Should().Be("ok");
        var requests = _fake.Server.LogEntries.Select(e => e.RequestMessage!.DateTime).Order().ToList();
        requests.Should().HaveCount(2);
        (requests[1] - requests[0]).Should().BeGreaterThan(TimeSpan.FromMilliseconds(900), "Retry-After: 3600 is honoured, clamped to MaxRetryAfter (1 s)");
    }

    [Fact]
    public async Task RunAsync_Request_SendsKeyAsBearerAndModelNameAndNeverStoresKey()
    {
        Reply("/v1", ChatReplies.Completion(ChatReplies.ValidAnswer, promptTokens: 1200, completionTokens: 300));
        using var host = await StartAsync(OpenAi(0, "gpt", "/v1", ("InputUsdPerMillionTokens", "2"), ("OutputUsdPerMillionTokens", "10")));
        await host.InsertArticleAsync("a1", "005930", "t", Published);

        await host.Stage.RunAsync(new StageContext(), CancellationToken.None);

        var request = _fake.Server.LogEntries.Single().RequestMessage!;
        request.Path.Should().Be("/v1/chat/completions");
        request.Headers!["Authorization"].Should().Equal("Bearer sk-test-secret");
        request.Body.Should().Contain("\"model\":\"test-model\"");
        var row = await host.PredictionAsync("a1", "gpt");
        row.TokensIn.Should().Be(1200);
        row.Cost.Should().BeApproximately((1200 * 2 + 300 * 10) / 1_000_000.0, 1e-12);
        File.ReadAllText(_fake.Folder.File("worker.db")).Should().NotContain("sk-test-secret");
    }

    private Task<PredictionHost> StartAsync(params Dictionary<string, string?>[] parts) => PredictionHost.StartAsync(_fake.Folder, Settings(parts));

    private static Dictionary<string, string?> Settings(params Dictionary<string, string?>[] parts) => parts.SelectMany(p => p).ToDictionary(p => p.Key, p => p.Value);

    private Dictionary<string, string?> OpenAi(int index, string id, string path, params (string Key, string Value)[] more) =>
        PredictionHost.Model(index, id, "openai", [("BaseUrl", _fake.Server.Url + path), ("Model", "test-model"), ("ApiKeyEnv", _fake.KeyVariable), .. more]);

    private void Reply(string basePath, string body, TimeSpan? delay = null)
    {
        var response = Json(body);
        if (delay is { } d)
        {
            response = response.WithDelay(d);
        }

        _fake.Server.Given(Request.Create().WithPath($"{basePath}/chat/completions").UsingPost()).RespondWith(response);
    }

    private static IResponseBuilder Json(string body) =>
        Response.Create().WithStatusCode(200).WithHeader("Content-Type", "application/json").WithBody(body);
}
