using Dapper;
using FluentAssertions;
using KrxSignal.Worker.Storage;
using KrxSignal.Worker.Tests.Support;

namespace KrxSignal.Worker.Tests.Storage;

public sealed class PostgresServerTests
{
    [SkippableFact]
    public async Task CreateDatabase_TwoCalls_GiveSeparateEmptyDatabases()
    {
        var server = await PostgresServer.GetAsync();
        var first = new PostgresDatabase(await server.CreateDatabaseAsync());
        var second = new PostgresDatabase(await server.CreateDatabaseAsync());

        await using (var connection = await first.OpenAsync(CancellationToken.None))
        {
            await connection.ExecuteAsync("CREATE TABLE marker (x integer); INSERT INTO marker VALUES (1);");
        }

        await using var other = await second.OpenAsync(CancellationToken.None);
        var tables = await other.ExecuteScalarAsync<long>("SELECT count(*) FROM information_schema.tables WHERE table_name = 'marker';");
        tables.Should().Be(0);
        first.Location.Should().NotBe(second.Location).And.StartWith("postgres://127.0.0.1:");
    }
}
