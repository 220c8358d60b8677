using System.Text.Json;
using Dapper;
using KrxSignal.Worker.Cli;
using KrxSignal.Worker.Hosting;
using KrxSignal.Worker.Storage;
using KrxSignal.Worker.Tests.Support;

namespace KrxSignal.Worker.Tests.Cli;

/// <summary>Test runs (poll-once, replay) keep off the database a cluster shares unless told otherwise.</summary>
public sealed class SharedDatabaseTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [SkippableFact]
    public async Task PollOnce_PostgresConfiguredWithoutAllowShared_Exits64AndCreatesNothing()
    {
        var connectionString = await (await PostgresServer.GetAsync()).CreateDatabaseAsync();

        var exit = await WorkerCommandLine.InvokeAsync(["poll-once"], Settings(new()
        {
            ["Storage:Provider"] = "postgres",
            ["Storage:ConnectionString"] = connectionString,
            ["StockApi:BaseUrl"] = "http://127.0.0.1:9/",
        }));

        exit.Should().Be(64);
        await using var connection = await new PostgresDatabase(connectionString).OpenAsync(CancellationToken.None);
        (await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = 'public';"))
            .Should().Be(0, "the refused command did not even migrate the shared database");
    }

    [Fact]
    public async Task Replay_WithoutAllowShared_LeavesTheConfiguredDatabaseAloneAndWithItReplaysIntoIt()
    {
        var configured = _folder.File("daemon.db");
        var settings = Settings(new() { ["Storage:DatabasePath"] = configured });
        var morning = await MorningAsync();

        var own = await WorkerCommandLine.InvokeAsync(["replay", morning, "--db", _folder.File("own.db")], settings);
        var existedAfterOwn = File.Exists(configured);
        var into = await WorkerCommandLine.InvokeAsync(["replay", morning, "--allow-shared"], settings);
        var both = await WorkerCommandLine.InvokeAsync(["replay", morning, "--allow-shared", "--db", _folder.File("x.db")], settings);

        own.Should().Be(0);
        existedAfterOwn.Should().BeFalse("a replay writes a database of its own");
        into.Should().Be(0);
        await using var connection = await new SqliteDatabase(configured).OpenAsync(CancellationToken.None);
        (await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM snapshots;")).Should().BeGreaterThan(0, "--allow-shared replayed into the configured database");
        both.Should().Be(64);
    }

    private WorkerHostSettings Settings(Dictionary<string, string?> overrides)
    {
        overrides["Logs:Directory"] = _folder.File("logs");
        overrides["Heartbeat:Path"] = _folder.File("heartbeat.json");
        return new WorkerHostSettings { ContentRoot = AppContext.BaseDirectory, Overrides = overrides };
    }

    private async Task<string> MorningAsync()
    {
        var cutoff = new DateTimeOffset(2026, 11, 20, 8, 40, 0, Worker.Calendar.Kst.Offset);
        var lines = (await File.ReadAllLinesAsync(Repository.SampleDay))
            .Where(line => line.Length > 0 && JsonDocument.Parse(line).RootElement.GetProperty("time").GetDateTimeOffset() < cutoff);
        var path = _folder.File("morning.jsonl");
        await File.WriteAllLinesAsync(path, lines);
        return path;
    }
}
