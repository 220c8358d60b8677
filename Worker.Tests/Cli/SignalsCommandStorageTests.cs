using Dapper;
using KrxSignal.Worker.Cli;
using KrxSignal.Worker.Hosting;
using KrxSignal.Worker.Storage;
using KrxSignal.Worker.Tests.Signals;
using KrxSignal.Worker.Tests.Support;
using Npgsql;

namespace KrxSignal.Worker.Tests.Cli;

/// <summary>`Worker signals` without --db reads the configured database, whichever provider holds it.</summary>
public abstract class SignalsCommandStorageTests(StorageProvider provider) : SignalsDatabaseTest(provider), IDisposable
{
    private static readonly DateTimeOffset Evening = new(2026, 11, 20, 12, 0, 0, TimeSpan.Zero); // 21:00 KST
    private readonly TempFolder _logs = new();

    public void Dispose()
    {
        _logs.Dispose();
        GC.SuppressFinalize(this);
    }

    [SkippableFact]
    public async Task RunAsync_ConfiguredDatabaseAndNoDbOption_ListsItsSignalsInKst()
    {
        await AddSignalAsync(Db.Connections);
        using var csv = new StringWriter();
        using var error = new StringWriter();

        var source = SignalsSource.Resolve(Settings(Db.StorageSettings), databaseFile: null);
        var exit = await SignalsCommand.RunAsync(source, new DateOnly(2026, 11, 20), null, "csv", Evening, csv, error, false, CancellationToken.None);

        source.Provider.Should().Be(Provider);
        exit.Should().Be(0, error.ToString());
        csv.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Should().Equal(
            "created_at,ticker,name,action,score,confidence,reversal,votes,articles,delivery",
            "2026-11-20T09:14:00+09:00,005930,삼성전자,buy,0.750,0.750,no,,,pending");
    }

    [SkippableFact]
    public async Task RunAsync_ConfiguredDatabaseNotMigrated_SaysWhereAndWhichVersionWithoutThePassword()
    {
        var (settings, location) = await UnmigratedDatabaseAsync();
        using var error = new StringWriter();

        var exit = await SignalsCommand.RunAsync(SignalsSource.Resolve(Settings(settings), null), null, null, "json", Evening, TextWriter.Null, error, false, CancellationToken.None);

        exit.Should().Be(2);
        error.ToString().Should().StartWith($"{location} is at schema version 0, this Worker reads version")
            .And.NotContain("hunter2").And.NotContain("   at ");
    }

    private async Task<(Dictionary<string, string?> Settings, string Location)> UnmigratedDatabaseAsync()
    {
        if (Provider == StorageProvider.Sqlite)
        {
            var path = _logs.File("empty.db");
            await using (var connection = await new SqliteDatabase(path).OpenAsync(CancellationToken.None))
            {
                await connection.ExecuteAsync("CREATE TABLE unrelated (x INTEGER);");
            }

            return (TestDatabases.Settings(Provider, path), path);
        }

        // A password the trust-authenticated test server never asks for: it must not appear in any message.
        var connectionString = new NpgsqlConnectionStringBuilder(await (await PostgresServer.GetAsync()).CreateDatabaseAsync()) { Password = "hunter2" }.ToString();
        await using var database = new PostgresDatabase(connectionString);
        return (TestDatabases.Settings(Provider, connectionString), database.Location);
    }

    private WorkerHostSettings Settings(Dictionary<string, string?> storage) => new()
    {
        ContentRoot = AppContext.BaseDirectory,
        Overrides = new Dictionary<string, string?>(storage) { ["Logs:Directory"] = _logs.File("logs") },
    };

    private static async Task AddSignalAsync(Database database)
    {
        await using var connection = await database.OpenAsync(CancellationToken.None);
        await connection.ExecuteAsync(
            """
            INSERT INTO signals (ticker, action, score, confidence, reason, created_at, name, details)
            VALUES ('005930', 'buy', 0.75, 0.75, 'test', @At, '삼성전자', '{"name":"삼성전자","votes":[],"articles":[]}')
            """, new { At = new DateTimeOffset(2026, 11, 20, 0, 14, 0, TimeSpan.Zero) });
    }

    public sealed class OnSqlite() : SignalsCommandStorageTests(StorageProvider.Sqlite);

    public sealed class OnPostgres() : SignalsCommandStorageTests(StorageProvider.Postgres)
    {
        [Fact]
        public void Resolve_PostgresConfiguredAndDbOptionGiven_ReadsTheNamedFile()
        {
            var source = SignalsSource.Resolve(Configured(new() { ["Storage:Provider"] = "postgres", ["Storage:ConnectionString"] = "Host=db.invalid;Database=krx" }), "/tmp/other.db");

            source.Should().Be(SignalsSource.File("/tmp/other.db"));
        }

        [Fact]
        public async Task RunAsync_PostgresWithoutConnectionString_ConfigurationErrorExit78()
        {
            using var error = new StringWriter();
            var source = SignalsSource.Resolve(Configured(new() { ["Storage:Provider"] = "postgres" }), null);

            var exit = await SignalsCommand.RunAsync(source, null, null, "table", Evening, TextWriter.Null, error, false, CancellationToken.None);

            exit.Should().Be(78);
            error.ToString().Should().Contain("Storage:ConnectionString");
        }

        private static WorkerHostSettings Configured(Dictionary<string, string?> values) => new() { ContentRoot = AppContext.BaseDirectory, Overrides = values };
    }
}
