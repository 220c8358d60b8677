using Dapper;
using KrxSignal.Worker.Storage;
using KrxSignal.Worker.Tests.Support;

namespace KrxSignal.Worker.Tests.Storage;

public sealed class SqlListTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task Of_StringsWithQuotesAndHangul_JsonEachReturnsEachValueOnce()
    {
        var connections = new SqliteDatabase(_folder.File("list.db"));
        await using var connection = await connections.OpenAsync(CancellationToken.None);
        string[] values = ["a'b", "삼성전자", "x\"y", ""];

        var read = await connection.QueryAsync<string>(new CommandDefinition(
            "SELECT value FROM json_each(@Values) ORDER BY key", new { Values = SqlList.Of(values) }));

        read.Should().Equal(values);
    }

    [Fact]
    public async Task Of_EmptyLongs_MatchesNothing()
    {
        var connections = new SqliteDatabase(_folder.File("list.db"));
        await using var connection = await connections.OpenAsync(CancellationToken.None);

        var count = await connection.ExecuteScalarAsync<long>(new CommandDefinition(
            "SELECT COUNT(*) FROM (SELECT 1 AS id) WHERE id IN (SELECT value FROM json_each(@Ids))", new { Ids = SqlList.Of(Array.Empty<long>()) }));

        count.Should().Be(0);
    }
}
