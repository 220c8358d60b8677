using Dapper;
using KrxSignal.Worker.Scheduling;
using KrxSignal.Worker.Storage;
using KrxSignal.Worker.Tests.Support;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace KrxSignal.Worker.Tests.Storage;

public sealed class HardeningMigrationTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task MigrateAsync_ExistingJobRunsBeforeTheRebuild_KeptAndAbandonedAccepted()
    {
        var factory = new SqliteDatabase(_folder.File("worker.db"));
        var hardening = Migration.Embedded.Single(m => m.Name == "hardening").Version;
        var before = Migration.Embedded.Where(m => m.Version < hardening).ToList();
        await new SchemaMigrator(factory, NullLogger<SchemaMigrator>.Instance, before).MigrateAsync(CancellationToken.None);
        await using (var connection = await factory.OpenAsync(CancellationToken.None))
        {
            await connection.ExecuteAsync("INSERT INTO job_runs (job, fire_time, started_at, finished_at, status, items, error) VALUES ('poll', 'f', 's', 'e', 'partial', 4, 'screener: timeout')");
        }

        var migrator = new SchemaMigrator(factory, NullLogger<SchemaMigrator>.Instance);
        (await migrator.MigrateAsync(CancellationToken.None)).Should().Be(migrator.LatestVersion);

        await using var after = await factory.OpenAsync(CancellationToken.None);
        (await after.QuerySingleAsync<(string, string, long, string)>("SELECT job, status, items, error FROM job_runs"))
            .Should().Be(("poll", "partial", 4L, "screener: timeout"));
        await after.ExecuteAsync("INSERT INTO job_runs (job, fire_time, started_at, status, pid) VALUES ('poll', 'f', 's', 'abandoned', 42)");
        (await after.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' AND name = 'ix_job_runs_job_started'")).Should().Be(1);
        (await after.ExecuteScalarAsync<string>("PRAGMA integrity_check")).Should().Be("ok");
    }

    [Fact]
    public async Task MigrateAsync_FourMigratorsAtOnceOnANewFile_AllReachLatestWithoutError()
    {
        var path = _folder.File("new.db");
        var migrations = Enumerable.Range(0, 4).Select(_ => Task.Run(() =>
            new SchemaMigrator(new SqliteDatabase(path), NullLogger<SchemaMigrator>.Instance).MigrateAsync(CancellationToken.None)));

        var versions = await Task.WhenAll(migrations);

        var latest = Migration.Embedded[^1].Version;
        versions.Should().OnlyContain(v => v == latest);
    }

    [Fact]
    public async Task Sweep_RunsLeftRunningByDeadProcesses_ClosedAsAbandonedLiveOnesLeft()
    {
        var factory = new SqliteDatabase(_folder.File("worker.db"));
        await new SchemaMigrator(factory, NullLogger<SchemaMigrator>.Instance).MigrateAsync(CancellationToken.None);
        await using (var connection = await factory.OpenAsync(CancellationToken.None))
        {
            await connection.ExecuteAsync(
                """
                INSERT INTO job_runs (job, fire_time, started_at, status, pid) VALUES
                    ('poll', 'f', 's', 'running', 2147483000),   -- no such process
                    ('pipeline', 'f', 's', 'running', NULL),     -- from before pids were recorded
                    ('poll', 'f', 's', 'running', 1),            -- init: alive
                    ('poll', 'f', 's', 'ok', 2147483000)
                """);
        }

        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 24, 1, 0, 0, TimeSpan.Zero));
        await new AbandonedRunSweeper(factory, time, NullLogger<AbandonedRunSweeper>.Instance).StartAsync(CancellationToken.None);

        await using var after = new SqliteConnection($"Data Source={factory.DatabasePath};Pooling=False");
        (await after.QueryAsync<(string, string?)>("SELECT status, finished_at FROM job_runs ORDER BY id")).Should().Equal(
            ("abandoned", "2026-11-24T01:00:00.000Z"), ("abandoned", "2026-11-24T01:00:00.000Z"), ("running", null), ("ok", null));
        (await after.ExecuteScalarAsync<string>("SELECT error FROM job_runs WHERE id = 1")).Should().Be("abandoned: the process running it (pid 2147483000) ended without finishing it");
    }
}
