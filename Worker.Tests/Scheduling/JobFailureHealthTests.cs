using Dapper;
using KrxSignal.Worker.Health;
using KrxSignal.Worker.Scheduling;
using KrxSignal.Worker.Storage;
using KrxSignal.Worker.Tests.Support;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace KrxSignal.Worker.Tests.Scheduling;

/// <summary>
/// The heartbeat is healthy only while jobs succeed; every attempted run leaves a job_runs row. SQLite only: the
/// refusals are made by another connection holding SQLite's file write lock; the recorder's SQL itself runs on both
/// providers in <see cref="JobRunRecorderTests"/>.
/// </summary>
public sealed class JobFailureHealthTests : IAsyncLifetime, IDisposable
{
    private readonly TempFolder _folder = new();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 24, 1, 0, 0, TimeSpan.Zero));
    private readonly SqliteDatabase _database;
    private readonly JobRunRecorder _recorder;
    private readonly JobFailureHealth _health;

    public JobFailureHealthTests()
    {
        // One second of waiting for a lock instead of thirty: the refusal is what is tested, not its patience.
        _database = new SqliteDatabase(_folder.File("worker.db"), lockTimeoutSeconds: 1);
        _recorder = new JobRunRecorder(_database, _time, NullLogger<JobRunRecorder>.Instance, new JobHealthBoard());
        _health = new JobFailureHealth(_recorder.Health, Options.Create(new HeartbeatOptions { UnhealthyAfterFailures = 2 }));
    }

    public Task InitializeAsync() => new SchemaMigrator(_database, NullLogger<SchemaMigrator>.Instance).MigrateAsync(CancellationToken.None);

    public Task DisposeAsync() => Task.CompletedTask;

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task RunAsync_StartRefusedByAnotherProcessLock_WorkNotRunDegradedNamingDatabaseAndRowWrittenAfter()
    {
        var ran = false;
        await using (var holder = new SqliteConnection($"Data Source={_database.DatabasePath};Pooling=False"))
        {
            await holder.OpenAsync();
            await holder.ExecuteAsync("BEGIN IMMEDIATE; INSERT INTO job_runs (job, fire_time, started_at, status) VALUES ('holder', 'x', 'x', 'ok');");

            var outcome = await _recorder.RunAsync("pipeline", _time.GetUtcNow(), _ => { ran = true; return Task.FromResult(new JobOutcome(JobRunStatus.Ok, 0, null)); }, CancellationToken.None);

            outcome.Status.Should().Be(JobRunStatus.Failed);
            outcome.Fault.Should().Be("database locked by another process");
            await holder.ExecuteAsync("ROLLBACK");
        }

        ran.Should().BeFalse("a run whose start cannot be recorded is not attempted");
        var draft = await HeartbeatAsync();
        draft.Status.Should().Be(HealthStatus.Degraded);
        draft.Reasons.Should().ContainSingle().Which.Should().Contain("job pipeline failing (database locked by another process)").And.Contain(_database.DatabasePath);

        _time.Advance(TimeSpan.FromMinutes(1));
        await _recorder.RunAsync("pipeline", _time.GetUtcNow(), _ => Task.FromResult(new JobOutcome(JobRunStatus.Ok, 3, null)), CancellationToken.None);

        var rows = await RowsAsync();
        rows.Select(r => r.Status).Should().Equal("failed", "ok");
        rows[0].Error.Should().StartWith("its start could not be recorded, so it did not run: database locked by another process");
        (await HeartbeatAsync()).Status.Should().Be(HealthStatus.Healthy);
    }

    [Fact]
    public async Task RunAsync_FailsUpToThreshold_DegradedThenUnhealthyNamingJobAndClassThenHealthyOnSuccess()
    {
        Task<JobOutcome> ReadOnly(CancellationToken _) => throw new SqliteException("attempt to write a readonly database", 8);

        await _recorder.RunAsync("poll", _time.GetUtcNow(), ReadOnly, CancellationToken.None);
        var first = await HeartbeatAsync();
        await _recorder.RunAsync("poll", _time.GetUtcNow(), ReadOnly, CancellationToken.None);
        var second = await HeartbeatAsync();
        await _recorder.RunAsync("poll", _time.GetUtcNow(), _ => Task.FromResult(new JobOutcome(JobRunStatus.Ok, 1, null)), CancellationToken.None);
        var recovered = await HeartbeatAsync();

        first.Status.Should().Be(HealthStatus.Degraded);
        first.Reasons.Should().ContainSingle().Which.Should().StartWith("job poll failing (database read-only) in its last run");
        second.Status.Should().Be(HealthStatus.Unhealthy);
        second.Reasons.Should().ContainSingle().Which.Should().StartWith("job poll failing (database read-only) in its last 2 runs");
        recovered.Status.Should().Be(HealthStatus.Healthy);
        (await RowsAsync()).Select(r => r.Status).Should().Equal("failed", "failed", "ok");
    }

    [Fact]
    public async Task RunAsync_StageCrashedInsideTheJob_CountsAsAFailure()
    {
        var crashed = new KrxSignal.Worker.Pipeline.StageResult(KrxSignal.Worker.Pipeline.StageOutcome.Failed, 0, "IOException: No space left on device") { Fault = "disk full" };

        await _recorder.RunAsync("pipeline", _time.GetUtcNow(), _ => Task.FromResult(JobOutcome.From([new KrxSignal.Worker.Pipeline.StageRun("predict", crashed)])), CancellationToken.None);

        var draft = await HeartbeatAsync();
        draft.Status.Should().Be(HealthStatus.Degraded);
        draft.Reasons.Should().ContainSingle().Which.Should().Contain("job pipeline failing (disk full)");
    }

    [Fact]
    public async Task RunAsync_UpstreamOutageWithoutLocalFault_DoesNotCountAgainstTheJob()
    {
        await _recorder.RunAsync("poll", _time.GetUtcNow(), _ => Task.FromResult(new JobOutcome(JobRunStatus.Failed, 0, "poll: portfolio failed (HTTP 500)")), CancellationToken.None);

        (await HeartbeatAsync()).Status.Should().Be(HealthStatus.Healthy, "the endpoints' own health reports an upstream outage");
    }

    private async Task<HeartbeatDraft> HeartbeatAsync()
    {
        var draft = new HeartbeatDraft();
        await _health.ContributeAsync(draft, CancellationToken.None);
        return draft;
    }

    private async Task<List<RunRow>> RowsAsync()
    {
        await using var connection = await _database.OpenAsync(CancellationToken.None);
        return (await connection.QueryAsync<RunRow>("SELECT job AS Job, status AS Status, error AS Error FROM job_runs ORDER BY id")).ToList();
    }

    private sealed record RunRow(string Job, string Status, string? Error);
}
