using Dapper;
using FluentAssertions;
using KrxSignal.Worker.Storage;
using KrxSignal.Worker.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;

namespace KrxSignal.Worker.Tests.Storage;

public sealed class PostgresSchemaTests : IDisposable
{
    private readonly TempFolder _folder = new();

    [SkippableFact]
    public async Task Migrate_ThreeNodesAtOnceOnAnEmptyDatabase_EachEndsAtTheLatestVersionAndEveryStepIsRecordedOnce()
    {
        var connectionString = await (await PostgresServer.GetAsync()).CreateDatabaseAsync();
        var nodes = Enumerable.Range(0, 3).Select(_ => new SchemaMigrator(new PostgresDatabase(connectionString), NullLogger<SchemaMigrator>.Instance)).ToList();

        var versions = await Task.WhenAll(nodes.Select(n => n.MigrateAsync(CancellationToken.None)));

        versions.Should().AllBeEquivalentTo(Migration.EmbeddedPostgres[^1].Version);
        await using var connection = await new PostgresDatabase(connectionString).OpenAsync(CancellationToken.None);
        var recorded = (await connection.QueryAsync<int>("SELECT version FROM schema_migrations ORDER BY version;")).ToList();
        recorded.Should().Equal(Migration.EmbeddedPostgres.Select(m => m.Version));
    }

    [SkippableFact]
    public async Task Migrate_BothProviders_EndAtTheSameVersionWithTheSameTablesAndColumns()
    {
        var sqlite = new SqliteDatabase(_folder.File("worker.db"));
        var postgres = new PostgresDatabase(await (await PostgresServer.GetAsync()).CreateDatabaseAsync());
        var sqliteVersion = await new SchemaMigrator(sqlite, NullLogger<SchemaMigrator>.Instance).MigrateAsync(CancellationToken.None);
        var postgresVersion = await new SchemaMigrator(postgres, NullLogger<SchemaMigrator>.Instance).MigrateAsync(CancellationToken.None);

        await using var s = await sqlite.OpenAsync(CancellationToken.None);
        var sqliteColumns = await s.QueryAsync<string>(
            "SELECT m.name || '.' || p.name FROM sqlite_master m JOIN pragma_table_info(m.name) p WHERE m.type = 'table' ORDER BY 1;");
        await using var p = await postgres.OpenAsync(CancellationToken.None);
        var postgresColumns = await p.QueryAsync<string>(
            "SELECT table_name || '.' || column_name FROM information_schema.columns WHERE table_schema = 'public' AND table_name <> 'schema_migrations' ORDER BY 1;");

        postgresVersion.Should().Be(sqliteVersion);
        postgresColumns.Should().BeEquivalentTo(sqliteColumns);
    }

    public void Dispose() => _folder.Dispose();
}
