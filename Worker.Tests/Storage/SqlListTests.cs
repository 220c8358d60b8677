using Dapper;
using KrxSignal.Worker.Storage;
using KrxSignal.Worker.Tests.Support;

namespace KrxSignal.Worker.Tests.Storage;

public abstract class SqlListTests(StorageProvider provider) : IAsyncLifetime, IDisposable
{
    private readonly TempFolder _folder = new();
    private Database _database = null!;

    public async Task InitializeAsync() => _database = await TestDatabases.CreateAsync(provider, _folder);

    public async Task DisposeAsync()
    {
        if (_database is IAsyncDisposable disposable)
        {
            await disposable.DisposeAsync();
        }
    }

    public void Dispose()
    {
        _folder.Dispose();
        GC.SuppressFinalize(this);
    }

    [SkippableFact]
    public async Task Of_StringsWithQuotesAndHangul_TextListReturnsEachValueOnce()
    {
        await using var connection = await _database.OpenAsync(CancellationToken.None);
        string[] values = ["a'b", "삼성전자", "x\"y", ""];

        var read = await connection.QueryAsync<string>(new CommandDefinition(
            SqlDialect.TextList(provider, "@Values"), new { Values = SqlList.Of(values) }));

        read.Should().BeEquivalentTo(values);
    }

    [SkippableFact]
    public async Task Of_Longs_IdListComparesWithIntegerColumns()
    {
        await using var connection = await _database.OpenAsync(CancellationToken.None);

        var matched = await connection.QueryAsync<long>(new CommandDefinition(
            $"SELECT id FROM (SELECT CAST(3 AS bigint) AS id UNION ALL SELECT CAST(5 AS bigint)) t WHERE id IN ({SqlDialect.IdList(provider, "@Ids")})",
            new { Ids = SqlList.Of([5L, 9_000_000_000L]) }));

        matched.Should().Equal(5L);
    }

    [SkippableFact]
    public async Task Of_EmptyLongs_MatchesNothing()
    {
        await using var connection = await _database.OpenAsync(CancellationToken.None);

        var count = await connection.ExecuteScalarAsync<long>(new CommandDefinition(
            $"SELECT COUNT(*) FROM (SELECT 1 AS id) t WHERE id IN ({SqlDialect.IdList(provider, "@Ids")})", new { Ids = SqlList.Of(Array.Empty<long>()) }));

        count.Should().Be(0);
    }

    public sealed class OnSqlite() : SqlListTests(StorageProvider.Sqlite);

    public sealed class OnPostgres() : SqlListTests(StorageProvider.Postgres);
}
