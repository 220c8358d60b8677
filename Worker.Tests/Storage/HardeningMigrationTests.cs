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

    [SkippableTheory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task Sweep_RunsLeftRunningByDeadProcesses_ClosedAsAbandonedLiveOnesLeft(StorageProvider provider)
    {
        var database = await MigratedDatabases.CreateAsync(provider, _folder);
        var started = new DateTimeOffset(2026, 11, 24, 0, 59, 0, TimeSpan.Zero);
        await using (var connection = await database.OpenAsync(CancellationToken.None))
        {
            await connection.ExecuteAsync(
                """
                INSERT INTO job_runs (job, fire_time, started_at, status, pid) VALUES
                    ('poll', @started, @started, 'running', 2147483000),   -- no such process
                    ('pipeline', @started, @started, 'running', NULL),     -- from before pids were recorded
                    ('poll', @started, @started, 'running', 1),            -- init: alive
                    ('poll', @started, @started, 'ok', 2147483000)
                """,
                new { started });
        }

        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 24, 1, 0, 0, TimeSpan.Zero));
        await new AbandonedRunSweeper(database, time, NullLogger<AbandonedRunSweeper>.Instance).StartAsync(CancellationToken.None);

        await using var after = await database.OpenAsync(CancellationToken.None);
        (await after.QueryAsync<SweptRow>("SELECT status AS Status, finished_at AS FinishedAt, error AS Error FROM job_runs ORDER BY id")).Should().Equal(
            new SweptRow("abandoned", time.GetUtcNow(), "abandoned: the process running it (pid 2147483000) ended without finishing it"),
            new SweptRow("abandoned", time.GetUtcNow(), "abandoned: the process running it (pid unknown) ended without finishing it"),
            new SweptRow("running", null, null),
            new SweptRow("ok", null, null));
    }

    private sealed record SweptRow(string Status, DateTimeOffset? FinishedAt, string? Error);
}
