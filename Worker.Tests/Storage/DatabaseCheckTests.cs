using Dapper;
using KrxSignal.Worker.Storage;
using KrxSignal.Worker.Tests.Support;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;

namespace KrxSignal.Worker.Tests.Storage;

/// <summary>Doctor's check of an SQLite file (its write lock, its integrity); the PostgreSQL check is in <see cref="ServerDatabaseCheckTests"/>.</summary>
public sealed class DatabaseCheckTests : IAsyncLifetime, IDisposable
{
    private readonly TempFolder _folder = new();
    private readonly SqliteDatabase _database;
    private readonly SchemaMigrator _migrator;

    public DatabaseCheckTests()
    {
        _database = new SqliteDatabase(_folder.File("worker.db"));
        _migrator = new SchemaMigrator(_database, NullLogger<SchemaMigrator>.Instance);
    }

    public Task InitializeAsync() => _migrator.MigrateAsync(CancellationToken.None);

    public Task DisposeAsync() => Task.CompletedTask;

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task Run_WritableDatabase_PassesAndLeavesNoTrace()
    {
        var result = await new DatabaseCheck(_database, _migrator).RunAsync(CancellationToken.None);

        result.Passed.Should().BeTrue(result.Detail);
        result.Detail.Should().EndWith("integrity ok, writable");
        await using var connection = new SqliteConnection($"Data Source={_database.DatabasePath};Pooling=False");
        (await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM sqlite_master WHERE name = 'doctor_write_probe'")).Should().Be(0, "the probe write was rolled back");
    }

    [Fact]
    public async Task Run_WriteLockHeldByAnotherProcess_FailsSayingLockedByAnotherProcess()
    {
        await using var holder = new SqliteConnection($"Data Source={_database.DatabasePath};Pooling=False");
        await holder.OpenAsync();
        await holder.ExecuteAsync("BEGIN IMMEDIATE");

        var result = await new DatabaseCheck(_database, _migrator, lockTimeoutSeconds: 1).RunAsync(CancellationToken.None);
        await holder.ExecuteAsync("ROLLBACK");

        result.Passed.Should().BeFalse();
        result.Detail.Should().Be($"{_database.DatabasePath} is locked by another process: a write waited 1 s for its lock and was refused");
        result.Fix.Should().Contain("fuser").And.NotContain("permission");
    }
}
