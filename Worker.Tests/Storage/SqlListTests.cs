using Dapper;
using KrxSignal.Worker.Storage;
using KrxSignal.Worker.Tests.Support;

namespace KrxSignal.Worker.Tests.Storage;

public sealed class SqlListTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [SkippableTheory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task TextList_StringsWithQuotesAndHangul_ReturnsEachValueOnce(StorageProvider provider)
    {
        var connections = await TestDatabases.CreateAsync(provider, _folder);
        await using var connection = await connections.OpenAsync(CancellationToken.None);
        string[] values = ["a'b", "삼성전자", "x\"y", ""];

        var read = await connection.QueryAsync<string>(new CommandDefinition(
            $"SELECT value FROM ({SqlDialect.For(provider).TextList("@Values")}) v", new { Values = SqlList.Of(values) }));

        read.Should().BeEquivalentTo(values);
    }

    [SkippableTheory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task IdList_EmptyAndSomeLongs_MatchesExactlyTheListedIds(StorageProvider provider)
    {
        var connections = await TestDatabases.CreateAsync(provider, _folder);
        await using var connection = await connections.OpenAsync(CancellationToken.None);
        var sql = $"SELECT COUNT(*) FROM (SELECT 1 AS id UNION ALL SELECT 5000000000) t WHERE id IN ({SqlDialect.For(provider).IdList("@Ids")})";

        var none = await connection.ExecuteScalarAsync<long>(new CommandDefinition(sql, new { Ids = SqlList.Of(Array.Empty<long>()) }));
        var two = await connection.ExecuteScalarAsync<long>(new CommandDefinition(sql, new { Ids = SqlList.Of([1L, 5_000_000_000L, 7L]) }));

        none.Should().Be(0);
        two.Should().Be(2);
    }
}
