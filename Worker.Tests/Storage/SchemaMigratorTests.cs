using Dapper;
using KrxSignal.Worker.Storage;
using KrxSignal.Worker.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;

namespace KrxSignal.Worker.Tests.Storage;

public sealed class SchemaMigratorTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task MigrateAsync_FreshFile_ReachesLatestWithEveryContractTable()
    {
        var factory = new SqliteDatabase(_folder.File("data/worker.db"));
        var migrator = new SchemaMigrator(factory, NullLogger<SchemaMigrator>.Instance);

        var version = await migrator.MigrateAsync(CancellationToken.None);

        version.Should().Be(Migration.Embedded.Count).And.BeGreaterThan(0);
        await using var connection = await factory.OpenAsync(CancellationToken.None);
        var tables = await connection.QueryAsync<string>("SELECT name FROM sqlite_master WHERE type = 'table'");
        tables.Should().Contain(["news_articles", "predictions", "signals", "signal_dedup", "snapshots", "job_runs", "model_usage"]);
        (await connection.ExecuteScalarAsync<string>("PRAGMA journal_mode")).Should().Be("wal");
    }

    [Fact]
    public async Task OpenAsync_AnyConnection_SetsPerConnectionPragmas()
    {
        var factory = new SqliteDatabase(_folder.File("worker.db"));
        await new SchemaMigrator(factory, NullLogger<SchemaMigrator>.Instance).MigrateAsync(CancellationToken.None);

        await using var connection = await factory.OpenAsync(CancellationToken.None);

        (await connection.ExecuteScalarAsync<int>("PRAGMA synchronous")).Should().Be(2, "2 is FULL");
        (await connection.ExecuteScalarAsync<int>("PRAGMA busy_timeout")).Should().Be(5000);
        (await connection.ExecuteScalarAsync<int>("PRAGMA foreign_keys")).Should().Be(1);
    }

    [Fact]
    public async Task MigrateAsync_RunTwice_ChangesNothing()
    {
        var factory = new SqliteDatabase(_folder.File("worker.db"));
        var migrator = new SchemaMigrator(factory, NullLogger<SchemaMigrator>.Instance);
        await migrator.MigrateAsync(CancellationToken.None);
        var before = await SchemaAsync(factory);

        var version = await migrator.MigrateAsync(CancellationToken.None);

        version.Should().Be(migrator.LatestVersion);
        (await SchemaAsync(factory)).Should().Equal(before);
    }

    [Fact]
    public async Task MigrateAsync_OlderVersionWithData_UpgradesAndKeepsRows()
    {
        var factory = new SqliteDatabase(_folder.File("worker.db"));
        await new SchemaMigrator(factory, NullLogger<SchemaMigrator>.Instance).MigrateAsync(CancellationToken.None);
        await using (var connection = await factory.OpenAsync(CancellationToken.None))
        {
            await connection.ExecuteAsync(
                "INSERT INTO news_articles (id, ticker, title, published_at, created_at) VALUES ('n-1', '005930', '삼성전자 수주', '2026-11-19T00:41:00.000Z', '2026-11-19T00:42:00.000Z')");
        }

        var next = Migration.Embedded.Count + 1;
        var upgraded = Migration.Embedded.Append(new Migration(next, "add_column", "ALTER TABLE news_articles ADD COLUMN language TEXT NULL;")).ToList();

        var version = await new SchemaMigrator(factory, NullLogger<SchemaMigrator>.Instance, upgraded).MigrateAsync(CancellationToken.None);

        version.Should().Be(next);
        await using var check = await factory.OpenAsync(CancellationToken.None);
        (await check.QuerySingleAsync<string>("SELECT title FROM news_articles WHERE id = 'n-1'")).Should().Be("삼성전자 수주");
        (await check.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM pragma_table_info('news_articles') WHERE name = 'language'")).Should().Be(1);
    }

    [SkippableTheory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task MigrateAsync_FailingStep_RollsBackAndKeepsVersion(StorageProvider provider)
    {
        var factory = await MigratedDatabases.CreateAsync(provider, _folder);
        var shipped = Migration.For(provider);
        var broken = shipped.Append(new Migration(shipped[^1].Version + 1, "broken", "CREATE TABLE half (x bigint); THIS IS NOT SQL;")).ToList();
        var migrator = new SchemaMigrator(factory, NullLogger<SchemaMigrator>.Instance, broken);

        var act = () => migrator.MigrateAsync(CancellationToken.None);

        await act.Should().ThrowAsync<System.Data.Common.DbException>();
        (await migrator.CurrentVersionAsync(CancellationToken.None)).Should().Be(shipped[^1].Version);
        await using var connection = await factory.OpenAsync(CancellationToken.None);
        await connection.Invoking(c => c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM half")).Should()
            .ThrowAsync<System.Data.Common.DbException>("the step's table was rolled back with it");
    }

    [SkippableTheory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task MigrateAsync_NewerThanKnown_RefusesWithClearMessage(StorageProvider provider)
    {
        var factory = await MigratedDatabases.CreateAsync(provider, _folder);
        await using (var connection = await factory.OpenAsync(CancellationToken.None))
        {
            await connection.ExecuteAsync(provider == StorageProvider.Postgres
                ? "INSERT INTO schema_migrations (version, name) VALUES (99, 'from a newer release')"
                : "PRAGMA user_version = 99");
        }

        var act = () => new SchemaMigrator(factory, NullLogger<SchemaMigrator>.Instance).MigrateAsync(CancellationToken.None);

        (await act.Should().ThrowAsync<DatabaseStartupException>())
            .WithMessage($"{factory.Location} has schema version 99*newer release*");
    }

    [Fact]
    public async Task CheckIntegrityAsync_CorruptFile_FailsNamingTheFile()
    {
        var path = _folder.File("worker.db");
        var factory = new SqliteDatabase(path);
        await new SchemaMigrator(factory, NullLogger<SchemaMigrator>.Instance).MigrateAsync(CancellationToken.None);
        await using (var connection = await factory.OpenAsync(CancellationToken.None))
        {
            await connection.ExecuteAsync("PRAGMA wal_checkpoint(TRUNCATE)");
        }

        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        await using (var file = new FileStream(path, FileMode.Open, FileAccess.Write))
        {
            // Overwrite the second page (a table's root) with garbage, keeping the header intact.
            file.Position = 4096;
            await file.WriteAsync(Enumerable.Repeat((byte)0xAB, 4096).ToArray());
        }

        var act = async () =>
        {
            var migrator = new SchemaMigrator(factory, NullLogger<SchemaMigrator>.Instance);
            await migrator.CheckIntegrityAsync(CancellationToken.None);
        };

        (await act.Should().ThrowAsync<DatabaseStartupException>()).Which.Message.Should().Contain(path).And.Contain("integrity");
    }

    private static async Task<List<string>> SchemaAsync(SqliteDatabase factory)
    {
        await using var connection = await factory.OpenAsync(CancellationToken.None);
        return (await connection.QueryAsync<string>("SELECT sql FROM sqlite_master WHERE sql IS NOT NULL ORDER BY name")).ToList();
    }
}
