using Dapper;
using KrxSignal.Worker.Calendar;
using KrxSignal.Worker.Predictions;
using KrxSignal.Worker.Scheduling;
using KrxSignal.Worker.Storage;
using KrxSignal.Worker.Tests.Signals;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Quartz;

namespace KrxSignal.Worker.Tests.Scheduling;

/// <summary>
/// When the pipeline job next runs: every minute in a market window or with work pending, otherwise at the next poll,
/// the next known due instant or the idle interval. On a fake clock over a migrated database of each provider and a real
/// in-memory scheduler.
/// </summary>
public abstract class PipelineWakeTests(StorageProvider provider) : SignalsDatabaseTest(provider)
{
    private static readonly TimeSpan Hour = TimeSpan.FromHours(1);

    // Wednesday 2026-11-25 02:17:31 KST: night on a trading day, the next poll at 07:00 KST.
    private static readonly DateTimeOffset Night = Kst.At(new DateOnly(2026, 11, 25), new TimeOnly(2, 17, 31));

    private readonly FakeTimeProvider _time = new(Night);

    [SkippableFact]
    public void Decide_InMarketWindow_NextWholeMinute()
    {
        var wake = PipelineWake.Decide(Night, inWindow: true, Night.AddHours(5), new PendingWork(false, null), Hour);

        wake.Should().Be(Kst.At(new DateOnly(2026, 11, 25), new TimeOnly(2, 18)));
    }

    [SkippableFact]
    public void Decide_WorkDueNow_NextWholeMinute()
    {
        var wake = PipelineWake.Decide(Night, inWindow: false, Night.AddHours(5), new PendingWork(true, null), Hour);

        wake.Should().Be(Kst.At(new DateOnly(2026, 11, 25), new TimeOnly(2, 18)));
    }

    [SkippableFact]
    public void Decide_PendingWorkUnreadable_NextWholeMinute()
    {
        var wake = PipelineWake.Decide(Night, inWindow: false, Night.AddHours(5), work: null, Hour);

        wake.Should().Be(Kst.At(new DateOnly(2026, 11, 25), new TimeOnly(2, 18)));
    }

    [SkippableFact]
    public void Decide_NothingPendingNextPollFar_SleepsTheIdleInterval()
    {
        var wake = PipelineWake.Decide(Night, inWindow: false, Kst.At(new DateOnly(2026, 11, 25), new TimeOnly(7, 0)), new PendingWork(false, null), Hour);

        wake.Should().Be(Kst.At(new DateOnly(2026, 11, 25), new TimeOnly(3, 18)), "an hour on, rounded up to the minute the trigger fires at");
    }

    [SkippableFact]
    public void Decide_NothingPendingNextPollSooner_WakesAtThePoll()
    {
        var sixFiftyNine = Kst.At(new DateOnly(2026, 11, 25), new TimeOnly(6, 59, 10));
        var poll = Kst.At(new DateOnly(2026, 11, 25), new TimeOnly(7, 0));

        var wake = PipelineWake.Decide(sixFiftyNine, inWindow: false, poll, new PendingWork(false, null), Hour);

        wake.Should().Be(poll);
    }

    [SkippableFact]
    public void Decide_RetryDueSoonerThanEverythingElse_WakesAtTheMinuteItIsDue()
    {
        var retry = Kst.At(new DateOnly(2026, 11, 25), new TimeOnly(2, 40, 5));

        var wake = PipelineWake.Decide(Night, inWindow: false, Night.AddHours(5), new PendingWork(false, retry), Hour);

        wake.Should().Be(Kst.At(new DateOnly(2026, 11, 25), new TimeOnly(2, 41)), "the first minute at which the retry is due");
    }

    [SkippableFact]
    public void Decide_DueWithinThisMinute_NeverEarlierThanTheNextMinute()
    {
        var wake = PipelineWake.Decide(Night, inWindow: false, null, new PendingWork(false, Night.AddSeconds(5)), Hour);

        wake.Should().Be(Kst.At(new DateOnly(2026, 11, 25), new TimeOnly(2, 18)));
    }

    [SkippableFact]
    public async Task NextAsync_EmptyDatabaseAtNight_SleepsTheIdleInterval()
    {
        var wake = Wake();

        var next = await wake.NextAsync(await ScheduleAsync(), settled: true, CancellationToken.None);

        next.Should().Be(Kst.At(new DateOnly(2026, 11, 25), new TimeOnly(3, 18)));
    }

    [SkippableFact]
    public async Task NextAsync_RunNotSettled_NextWholeMinute()
    {
        var next = await Wake().NextAsync(await ScheduleAsync(), settled: false, CancellationToken.None);

        next.Should().Be(Kst.At(new DateOnly(2026, 11, 25), new TimeOnly(2, 18)));
    }

    [SkippableFact]
    public async Task NextAsync_ArticleWaitingForPredictions_NextWholeMinute()
    {
        await Db.AddArticleAsync(new TestArticle("005930", Night.AddMinutes(-3)));
        await ClearPredictedAtAsync();

        var next = await Wake().NextAsync(await ScheduleAsync(), settled: true, CancellationToken.None);

        next.Should().Be(Kst.At(new DateOnly(2026, 11, 25), new TimeOnly(2, 18)));
    }

    [SkippableFact]
    public async Task NextAsync_DeliveryBackingOff_WakesWhenItsNextAttemptIsDue()
    {
        await AddDeliveryAsync(nextAttemptAt: Kst.At(new DateOnly(2026, 11, 25), new TimeOnly(2, 29, 45)));

        var next = await Wake().NextAsync(await ScheduleAsync(), settled: true, CancellationToken.None);

        next.Should().Be(Kst.At(new DateOnly(2026, 11, 25), new TimeOnly(2, 30)));
    }

    [SkippableFact]
    public async Task NextAsync_DeliveryDueNow_NextWholeMinute()
    {
        await AddDeliveryAsync(nextAttemptAt: Night.AddMinutes(-1));

        var next = await Wake().NextAsync(await ScheduleAsync(), settled: true, CancellationToken.None);

        next.Should().Be(Kst.At(new DateOnly(2026, 11, 25), new TimeOnly(2, 18)));
    }

    [SkippableFact]
    public async Task RescheduleAsync_EveryMinuteTrigger_NextFiresAtTheWakeThenEveryMinute()
    {
        var factory = QuartzSchedulerBuilder.Create().Build();
        var scheduler = await factory.GetScheduler();
        var job = JobBuilder.Create<NoOpJob>().WithIdentity(PipelineJob.Key).StoreDurably().Build();
        await scheduler.AddJob(job);
        await scheduler.ScheduleJob(PipelineJob.CreateTrigger(_time, MarketTimeZone.Kst));
        var wakeAt = Kst.At(new DateOnly(2026, 11, 25), new TimeOnly(3, 18));

        await Wake().RescheduleAsync(scheduler, PipelineJob.EveryMinuteKey, PipelineJob.Key, 0, wakeAt, CancellationToken.None);

        var trigger = await scheduler.GetTrigger(PipelineJob.EveryMinuteKey);
        trigger!.NextFireTimeUtc.Should().Be(wakeAt);
        trigger.GetFireTimeAfter(wakeAt).Should().Be(wakeAt.AddMinutes(1), "once awake it is the every-minute trigger again");
        await factory.DisposeAsync();
    }

    private PipelineWake Wake() => new(
        new PendingWorkProbe(Db.Connections, Options.Create(new PredictionsOptions())),
        new MarketScheduleProvider(null!, _time),
        Options.Create(new IdleWakeOptions()),
        _time,
        NullLogger<PipelineWake>.Instance);

    private async Task<MarketSchedule> ScheduleAsync()
    {
        using var source = new MarketCalendarSource(Options.Create(new CalendarOptions()), new KrxSignal.Worker.Hosting.AppPaths(AppContext.BaseDirectory));
        var calendar = await source.LoadAsync(CancellationToken.None);
        return MarketSchedule.Create(calendar, _time, Night, PollJob.Key);
    }

    private async Task ClearPredictedAtAsync()
    {
        await using var connection = await Db.Connections.OpenAsync(CancellationToken.None);
        await connection.ExecuteAsync("UPDATE news_articles SET predicted_at = NULL");
    }

    private async Task AddDeliveryAsync(DateTimeOffset nextAttemptAt)
    {
        await using var connection = await Db.Connections.OpenAsync(CancellationToken.None);
        await connection.ExecuteAsync(
            """
            INSERT INTO notifications (id, kind, article_id, idempotency_key, payload, text, created_at)
            VALUES (1, 'prediction', @Article, 'key-1', '{}', 'text', @Created);
            INSERT INTO deliveries (notification_id, channel, attempts, next_attempt_at) VALUES (1, 'webhook', 1, @Next);
            """,
            new { Article = await Db.AddArticleAsync(new TestArticle("005930", Night.AddHours(-1))), Created = Night.AddHours(-1).ToUniversalTime(), Next = nextAttemptAt.ToUniversalTime() });
    }

    private sealed class NoOpJob : IJob
    {
        public ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken) => ValueTask.CompletedTask;
    }

    public sealed class OnSqlite() : PipelineWakeTests(StorageProvider.Sqlite);

    public sealed class OnPostgres() : PipelineWakeTests(StorageProvider.Postgres);
}
