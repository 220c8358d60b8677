using System.Text.Json;
using Dapper;
using KrxSignal.Worker.Cli;
using KrxSignal.Worker.Hosting;
using KrxSignal.Worker.Replay;
using KrxSignal.Worker.Storage;
using KrxSignal.Worker.Storage.Copy;
using KrxSignal.Worker.Tests.Support;

namespace KrxSignal.Worker.Tests.Storage;

public sealed class StorageCopyTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [SkippableFact]
    public async Task StorageCopy_ReplayedMorningThenRerun_EveryRowCopiedOnceWithItsTimesAndTheNextIdsFollowOn()
    {
        var connectionString = await (await PostgresServer.GetAsync()).CreateDatabaseAsync();
        var source = _folder.File("history.db");
        await ReplayRunner.RunAsync(Settings(null), await SampleMorningAsync(), source, deliver: false, progress: null, CancellationToken.None);
        var args = new[] { "storage", "copy", "--to", "postgres", "--from", source };

        var first = await WorkerCommandLine.InvokeAsync(args, Settings(connectionString));
        var second = await WorkerCommandLine.InvokeAsync(args, Settings(connectionString));

        first.Should().Be(0);
        second.Should().Be(0);
        var sqlite = new SqliteDatabase(source);
        var postgres = new PostgresDatabase(connectionString);
        await using var s = await sqlite.OpenAsync(CancellationToken.None);
        await using var p = await postgres.OpenAsync(CancellationToken.None);
        foreach (var table in SqliteToPostgresCopy.TableOrder)
        {
            var inSqlite = await s.ExecuteScalarAsync<long>($"SELECT COUNT(*) FROM {table};");
            var inPostgres = await p.ExecuteScalarAsync<long>($"SELECT COUNT(*) FROM {table};");
            inPostgres.Should().Be(inSqlite, $"{table} holds each row once after two copies");
        }

        (await s.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM signals;")).Should().BeGreaterThan(0, "the morning makes signals");
        var sqliteSignals = (await s.QueryAsync<(long Id, string CreatedAt, string Details)>("SELECT id, created_at, details FROM signals ORDER BY id;")).ToList();
        var postgresSignals = (await p.QueryAsync<(long Id, DateTime CreatedAt, string Details)>("SELECT id, created_at, details FROM signals ORDER BY id;")).ToList();
        postgresSignals.Select(x => x.Id).Should().Equal(sqliteSignals.Select(x => x.Id));
        postgresSignals.Select(x => new DateTimeOffset(x.CreatedAt, TimeSpan.Zero)).Should().Equal(sqliteSignals.Select(x => UtcTimeHandlers.Parse(x.CreatedAt)));
        postgresSignals.Select(x => x.Details).Should().Equal(sqliteSignals.Select(x => x.Details));

        var next = await p.ExecuteScalarAsync<long>(
            "INSERT INTO job_runs (job, fire_time, started_at, status) VALUES ('copy-check', now(), now(), 'ok') RETURNING id;");
        next.Should().BeGreaterThan(await s.ExecuteScalarAsync<long>("SELECT COALESCE(MAX(id), 0) FROM job_runs;"), "the identity moved past the copied ids");
    }

    [Fact]
    public async Task StorageCopy_NoConnectionString_Exits78NamingTheKey()
    {
        var exit = await WorkerCommandLine.InvokeAsync(["storage", "copy", "--to", "postgres", "--from", _folder.File("none.db")], Settings(null));

        exit.Should().Be(78);
    }

    private WorkerHostSettings Settings(string? connectionString)
    {
        var overrides = new Dictionary<string, string?> { ["Logs:Directory"] = _folder.File("logs"), ["Storage:DatabasePath"] = _folder.File("configured.db") };
        if (connectionString is not null)
        {
            overrides["Storage:ConnectionString"] = connectionString;
        }

        return new WorkerHostSettings { ContentRoot = AppContext.BaseDirectory, Overrides = overrides };
    }

    private async Task<string> SampleMorningAsync()
    {
        var cutoff = new DateTimeOffset(2026, 11, 20, 10, 0, 0, Worker.Calendar.Kst.Offset);
        var lines = (await File.ReadAllLinesAsync(Repository.SampleDay))
            .Where(line => line.Length > 0 && JsonDocument.Parse(line).RootElement.GetProperty("time").GetDateTimeOffset() < cutoff);
        var path = _folder.File("sample-morning.jsonl");
        await File.WriteAllLinesAsync(path, lines);
        return path;
    }
}
