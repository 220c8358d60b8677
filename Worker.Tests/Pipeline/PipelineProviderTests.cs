using KrxSignal.Worker.Pipeline;
using KrxSignal.Worker.Scheduling;
using KrxSignal.Worker.Storage;
using KrxSignal.Worker.Tests.StockApi;
using KrxSignal.Worker.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace KrxSignal.Worker.Tests.Pipeline;

/// <summary>
/// One poll cycle and the prediction run after it, in the production composition, each recorded in job_runs as the
/// daemon's jobs record them, on either provider: the same rows. The signal and notify stages have their own
/// provider tests; this one is about what poll, ingest, predict and the job recorder write.
/// </summary>
public sealed class PipelineProviderTests
{
    [SkippableTheory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task PollCycleThenPredict_OfflineModels_IngestsPredictsAndRecordsJobRunsTheSameOnEitherProvider(StorageProvider provider)
    {
        var storage = provider == StorageProvider.Postgres
            ? TestDatabases.Settings(provider, await (await PostgresServer.GetAsync()).CreateDatabaseAsync())
            : [];
        using var harness = await StockApiHarness.StartAsync(storage);
        harness.AllHealthy();
        var recorder = harness.Services.GetRequiredService<JobRunRecorder>();
        var pipeline = harness.Services.GetRequiredService<PipelineRunner>();
        var fireTime = harness.Time.GetUtcNow();

        var poll = await harness.DriveAsync(recorder.RunAsync(PipelineRunner.PollStage, fireTime,
            async ct => JobOutcome.From([await pipeline.RunPollCycleAsync(new StageContext(), ct)]), CancellationToken.None));
        var predict = pipeline.Stages.Single(s => s.Name == "predict");
        var downstream = await harness.DriveAsync(recorder.RunAsync("pipeline", fireTime,
            async ct => JobOutcome.From([new StageRun(predict.Name, await predict.RunAsync(new StageContext(), ct))]), CancellationToken.None));

        harness.Services.GetRequiredService<Database>().Provider.Should().Be(provider);
        (poll.Status, downstream.Status).Should().Be((JobRunStatus.Ok, JobRunStatus.Ok), downstream.Error);
        (await harness.QueryAsync<string>("SELECT id FROM news_articles ORDER BY id")).Should().Equal("n-7245", "n-7246");
        (await harness.QueryAsync<PredictionKey>("SELECT article_id AS ArticleId, model_id AS ModelId, status AS Status FROM predictions ORDER BY model_id"))
            .Should().Equal(new PredictionKey("n-7245", "lexicon", "ok"), new PredictionKey("n-7245", "sentiment", "ok"));
        (await harness.QueryAsync<string>("SELECT id FROM news_articles WHERE predicted_at IS NOT NULL")).Should().Equal("n-7245");
        (await harness.QueryAsync<string>("SELECT endpoint FROM snapshots ORDER BY endpoint")).Should().Equal("news-sentiment", "portfolio", "screener");
        (await harness.QueryAsync<JobRunKey>("SELECT job AS Job, status AS Status, items AS Items, fire_time AS FireTime FROM job_runs ORDER BY id"))
            .Should().Equal(new JobRunKey("poll", "ok", 2, fireTime), new JobRunKey("pipeline", "ok", 2, fireTime));
    }

    private sealed record PredictionKey(string ArticleId, string ModelId, string Status);

    private sealed record JobRunKey(string Job, string Status, long Items, DateTimeOffset FireTime);
}
