using Dapper;
using KrxSignal.Worker.Storage;
using KrxSignal.Worker.Tests.Support;
using Microsoft.Data.Sqlite;

namespace KrxSignal.Worker.Tests.Storage;

public sealed class SqliteDatabaseTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task OpenAsync_PooledConnectionHandedBackAgain_StillCarriesThePragmas()
    {
        var database = new SqliteDatabase(_folder.File("replay.db"), durable: false, pageCacheKiB: 128);
        object? first;
        await using (var connection = await database.OpenAsync(CancellationToken.None))
        {
            first = ((SqliteConnection)connection).Handle;
        }

        await using var again = await database.OpenAsync(CancellationToken.None);

        ((SqliteConnection)again).Handle.Should().BeSameAs(first, "the pool hands back the same physical connection");
        (await again.ExecuteScalarAsync<int>("PRAGMA synchronous")).Should().Be(1, "1 is NORMAL");
        (await again.ExecuteScalarAsync<int>("PRAGMA busy_timeout")).Should().Be(5000);
        (await again.ExecuteScalarAsync<int>("PRAGMA foreign_keys")).Should().Be(1);
        (await again.ExecuteScalarAsync<int>("PRAGMA cache_size")).Should().Be(-128, "a negative cache size is in KiB");
    }

    [Fact]
    public async Task OpenAsync_TwoDatabasesOnOneFileShareThePool_EachGetsItsOwnPragmas()
    {
        var path = _folder.File("worker.db");
        var durable = new SqliteDatabase(path);
        var scratch = new SqliteDatabase(path, durable: false);

        var synchronous = new List<int>();
        foreach (var database in new[] { durable, scratch, durable, scratch })
        {
            await using var connection = await database.OpenAsync(CancellationToken.None);
            synchronous.Add(await connection.ExecuteScalarAsync<int>("PRAGMA synchronous"));
        }

        synchronous.Should().Equal([2, 1, 2, 1], "FULL for the durable database, NORMAL for the scratch one, on the same pooled connection");
    }

    [Fact]
    public async Task OpenAsync_NoPageCacheGiven_KeepsSqliteDefault()
    {
        var database = new SqliteDatabase(_folder.File("worker.db"));

        await using var connection = await database.OpenAsync(CancellationToken.None);

        (await connection.ExecuteScalarAsync<int>("PRAGMA cache_size")).Should().Be(-2000);
    }
}
