using KrxSignal.Worker.Tests.Predictions;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;

namespace KrxSignal.Worker.Tests.Reliability;

/// <summary>
/// Issue 5: a kill in the middle of a prediction batch, at process level. The real binary runs poll-once with the two
/// offline models and a slow OpenAI-compatible one (one call at a time, 200 ms each: after the second slow row, eight
/// calls, 1.6 s, remain for the kill to land in), is SIGKILLed once some but not all articles are predicted, and a
/// second poll-once finishes the batch.
/// </summary>
public sealed class PredictionKillTests : IDisposable
{
    private const string SlowModel = "slow";
    private const int Articles = 10;
    private const int Models = 3;
    private readonly ProcessScenario _s = new();

    public void Dispose() => _s.Dispose();

    [Fact]
    public async Task PollOnce_KilledMidBatch_RestartFinishesWithOneRowPerPairAndOneAttemptEach()
    {
        _s.ServeUpstream(Enumerable.Range(1, Articles)
            .Select(i => new NewsArticle($"kill-{i:00}", i % 2 == 0 ? "005930" : "000660", $"기사 {i}: 수주 급등", 0.3))
            .ToList());
        _s.Upstream.Given(Request.Create().WithPath("/v1/chat/completions").UsingPost())
            .RespondWith(Response.Create().WithStatusCode(200).WithHeader("Content-Type", "application/json")
                .WithBody(ChatReplies.Completion(ChatReplies.ValidAnswer)).WithDelay(TimeSpan.FromMilliseconds(200)));
        var environment = Environment();

        await using (var first = _s.Start(environment, "poll-once"))
        {
            // Two slow rows: the batch is under way, eight articles (at least) are still waiting.
            await _s.WaitForCountAsync($"SELECT COUNT(*) FROM predictions WHERE model_id = '{SlowModel}'", n => n >= 2, first, ProcessScenario.ProcessTimeout);
            first.Kill();
            await first.WaitForExitAsync(ProcessScenario.ProcessTimeout);
        }

        var predictedAtKill = await _s.ScalarAsync<long>("SELECT COUNT(*) FROM news_articles WHERE predicted_at IS NOT NULL");
        predictedAtKill.Should().BeInRange(1, Articles - 1, "the kill landed in the middle of the batch");
        (await _s.ScalarAsync<long>("SELECT COUNT(*) FROM news_articles")).Should().Be(Articles);
        (await IncompleteCompletedArticlesAsync()).Should().Be(0, "predicted_at is set only with the row that completes the set");

        var (exitCode, stdout, stderr) = await _s.RunAsync(environment, "poll-once");

        exitCode.Should().Be(0, $"stdout:\n{stdout}\nstderr:\n{stderr}");
        (await _s.ScalarAsync<long>("SELECT COUNT(*) FROM news_articles WHERE predicted_at IS NULL")).Should().Be(0, "the restart finished the batch");
        var pairs = await _s.QueryAsync<(string ArticleId, string ModelId, string Status, long Attempts, long Rows)>(
            "SELECT article_id, model_id, MIN(status), MAX(attempts), COUNT(*) FROM predictions GROUP BY article_id, model_id ORDER BY article_id, model_id");
        pairs.Should().HaveCount(Articles * Models, "every article has a row for every active model");
        pairs.Should().OnlyContain(p => p.Rows == 1, "no duplicate (article, model) row");
        pairs.Should().OnlyContain(p => p.Status == "ok");
        pairs.Should().OnlyContain(p => p.Attempts == 1, "a pair cut off by the kill left no row, so its redo is its first recorded attempt");
        pairs.Select(p => p.ModelId).Distinct().Should().BeEquivalentTo("lexicon", "sentiment", SlowModel);
        (await IncompleteCompletedArticlesAsync()).Should().Be(0);

        // The ledger and the endpoint agree: ten recorded calls; the call in flight at the kill is the only one made twice.
        (await _s.ScalarAsync<long>($"SELECT SUM(calls) FROM model_usage WHERE model_id = '{SlowModel}'")).Should().Be(Articles);
        var slowCalls = _s.Upstream.LogEntries.Count(e => e.RequestMessage!.Path == "/v1/chat/completions");
        slowCalls.Should().BeInRange(Articles, Articles + 1);
    }

    /// <summary>Articles marked predicted that lack a row for some model.</summary>
    private Task<long> IncompleteCompletedArticlesAsync() => _s.ScalarAsync<long>(
        $"SELECT COUNT(*) FROM news_articles a WHERE a.predicted_at IS NOT NULL AND (SELECT COUNT(*) FROM predictions p WHERE p.article_id = a.id) <> {Models}");

    private Dictionary<string, string?> Environment()
    {
        var environment = _s.Environment();
        environment["Models__2__Id"] = SlowModel;
        environment["Models__2__Provider"] = "openai";
        environment["Models__2__BaseUrl"] = _s.Upstream.Url + "/v1";
        environment["Models__2__Model"] = "slow-model";
        environment["Models__2__ApiKeyEnv"] = "SLOW_MODEL_KEY";
        environment["Models__2__MaxConcurrency"] = "1";
        environment["SLOW_MODEL_KEY"] = "sk-process-test";
        return environment;
    }
}
