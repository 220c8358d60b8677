using Dapper;
using KrxSignal.Worker.Calendar;
using KrxSignal.Worker.Health;
using KrxSignal.Worker.Pipeline;
using KrxSignal.Worker.Scheduling;
using KrxSignal.Worker.Storage;
using KrxSignal.Worker.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using static KrxSignal.Worker.Tests.Calendar.TestCalendars;

namespace KrxSignal.Worker.Tests.Scheduling;

public sealed class JobRunRecorderTests : IDisposable
{
    private readonly TempFolder _folder = new();
    private readonly FakeTimeProvider _time = new(At(2026, 11, 18, 10, 0));
    private Database _database = null!;
    private JobRunRecorder _recorder = null!;

    public void Dispose() => _folder.Dispose();

    private async Task UseAsync(StorageProvider provider)
    {
        _database = await MigratedDatabases.CreateAsync(provider, _folder);
        _recorder = new JobRunRecorder(_database, _time, NullLogger<JobRunRecorder>.Instance);
    }

    [SkippableTheory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task RunAsync_Execution_InsertsRunningThenFinishesOneRow(StorageProvider provider)
    {
        await UseAsync(provider);
        string? statusWhileRunning = null;
        var outcome = await _recorder.RunAsync("poll", At(2026, 11, 18, 10, 0), async ct =>
        {
            statusWhileRunning = await ScalarAsync<string>("SELECT status FROM job_runs");
            _time.Advance(TimeSpan.FromSeconds(2));
            return new JobOutcome(JobRunStatus.Partial, 7, "screener: timeout");
        }, CancellationToken.None);

        statusWhileRunning.Should().Be("running");
        outcome.Status.Should().Be(JobRunStatus.Partial);
        var row = (await RowsAsync()).Should().ContainSingle().Subject;
        row.Should().Be(new Row("poll", At(2026, 11, 18, 10, 0), At(2026, 11, 18, 10, 0), At(2026, 11, 18, 10, 0).AddSeconds(2), "partial", 7, "screener: timeout"));
    }

    [SkippableTheory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task RunAsync_TokenCancelledMidRun_RecordsCancelled(StorageProvider provider)
    {
        await UseAsync(provider);
        using var stopping = new CancellationTokenSource();
        await _recorder.RunAsync("pipeline", _time.GetUtcNow(), async ct =>
        {
            await stopping.CancelAsync();
            ct.ThrowIfCancellationRequested();
            return new JobOutcome(JobRunStatus.Ok, 1, null);
        }, stopping.Token);

        (await RowsAsync()).Should().ContainSingle().Which.Status.Should().Be("cancelled");
    }

    [SkippableTheory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task RunAsync_WorkThrows_RecordsFailedWithTheError(StorageProvider provider)
    {
        await UseAsync(provider);
        await _recorder.RunAsync("pipeline", _time.GetUtcNow(), _ => throw new InvalidOperationException("boom"), CancellationToken.None);

        var row = (await RowsAsync()).Should().ContainSingle().Subject;
        row.Status.Should().Be("failed");
        row.Error.Should().Be("InvalidOperationException: boom");
    }

    [SkippableTheory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task RunAsync_RowsOlderThan30Days_ArePrunedOnceADay(StorageProvider provider)
    {
        await UseAsync(provider);
        await _recorder.RunAsync("poll", _time.GetUtcNow(), _ => Task.FromResult(JobOutcome.Skipped("polling is off")), CancellationToken.None);
        _time.Advance(TimeSpan.FromDays(31));
        await _recorder.RunAsync("poll", _time.GetUtcNow(), _ => Task.FromResult(new JobOutcome(JobRunStatus.Ok, 3, null)), CancellationToken.None);

        var rows = await RowsAsync();

        rows.Should().ContainSingle().Which.Items.Should().Be(3);
    }

    [SkippableTheory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task LastRunsAsync_SeveralRunsPerJob_ReturnsTheLatestOfEach(StorageProvider provider)
    {
        await UseAsync(provider);
        await _recorder.RunAsync("poll", _time.GetUtcNow(), _ => Task.FromResult(JobOutcome.Skipped("polling is off")), CancellationToken.None);
        _time.Advance(TimeSpan.FromMinutes(1));
        await _recorder.RunAsync("poll", _time.GetUtcNow(), _ => Task.FromResult(new JobOutcome(JobRunStatus.Ok, 5, null)), CancellationToken.None);
        await _recorder.RunAsync("pipeline", _time.GetUtcNow(), _ => Task.FromResult(new JobOutcome(JobRunStatus.Failed, 0, "predict: down")), CancellationToken.None);

        var last = await _recorder.LastRunsAsync(CancellationToken.None);

        last.Select(r => (r.Job, r.Status, r.Items)).Should().Equal(("pipeline", "failed", 0), ("poll", "ok", 5));
    }

    [Fact]
    public void From_StageResults_MapsToOkPartialOrFailed()
    {
        JobOutcome.From([new StageRun("predict", StageResult.Ok(2, "")), new StageRun("notify", StageResult.Ok(1, ""))]).Should().Be(new JobOutcome(JobRunStatus.Ok, 3, null));
        JobOutcome.From([new StageRun("predict", StageResult.Ok(2, "")), new StageRun("notify", new StageResult(StageOutcome.Failed, 0, "webhook 500"))])
            .Should().Be(new JobOutcome(JobRunStatus.Partial, 2, "notify: webhook 500"));
        JobOutcome.From([new StageRun("poll", new StageResult(StageOutcome.Failed, 0, "down"))]).Status.Should().Be(JobRunStatus.Failed);
        JobOutcome.From([]).Should().Be(new JobOutcome(JobRunStatus.Ok, 0, null));
    }

    [SkippableTheory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task ContributeAsync_DuringTheSession_FillsWindowNextPollAndLastRuns(StorageProvider storage)
    {
        await UseAsync(storage);
        await _recorder.RunAsync("poll", _time.GetUtcNow(), _ => Task.FromResult(new JobOutcome(JobRunStatus.Ok, 4, null)), CancellationToken.None);
        var provider = await ProviderAsync();
        var draft = new HeartbeatDraft();

        await new SchedulingHealth(provider, _recorder, _time).ContributeAsync(draft, CancellationToken.None);

        draft.Window.Should().Be("regular");
        draft.NextPoll.Should().Be(At(2026, 11, 18, 10, 1));
        draft.LastRuns.Should().ContainSingle().Which.Items.Should().Be(4);
        draft.Status.Should().Be(HealthStatus.Healthy);
        draft.Warnings.Should().BeEmpty();
    }

    [Fact]
    public async Task ContributeAsync_CurrentYearNotCovered_DegradesAndWarns()
    {
        await UseAsync(StorageProvider.Sqlite);
        _time.SetUtcNow(At(2028, 3, 2, 10, 0));
        var provider = await ProviderAsync();
        var draft = new HeartbeatDraft();

        await new SchedulingHealth(provider, _recorder, _time).ContributeAsync(draft, CancellationToken.None);

        draft.Status.Should().Be(HealthStatus.Degraded);
        draft.Reasons.Should().ContainSingle().Which.Should().Contain("does not cover 2028");
        draft.Warnings.Should().ContainSingle().Which.Should().Contain("does not cover 2028");
    }

    private async Task<MarketScheduleProvider> ProviderAsync()
    {
        var source = new MarketCalendarSource(Microsoft.Extensions.Options.Options.Create(new CalendarOptions()), new KrxSignal.Worker.Hosting.AppPaths(AppContext.BaseDirectory));
        var provider = new MarketScheduleProvider(source, _time);
        await provider.BuildAsync(CancellationToken.None);
        return provider;
    }

    private async Task<T?> ScalarAsync<T>(string sql)
    {
        await using var connection = await _database.OpenAsync(CancellationToken.None);
        return await connection.ExecuteScalarAsync<T>(sql);
    }

    private async Task<List<Row>> RowsAsync()
    {
        await using var connection = await _database.OpenAsync(CancellationToken.None);
        return (await connection.QueryAsync<Row>("SELECT job AS Job, fire_time AS FireTime, started_at AS StartedAt, finished_at AS FinishedAt, status AS Status, items AS Items, error AS Error FROM job_runs ORDER BY id")).ToList();
    }

    private sealed record Row(string Job, DateTimeOffset FireTime, DateTimeOffset StartedAt, DateTimeOffset? FinishedAt, string Status, long Items, string? Error);
}
