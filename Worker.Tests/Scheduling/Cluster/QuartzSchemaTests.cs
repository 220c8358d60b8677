using Dapper;
using FluentAssertions;
using KrxSignal.Worker.Scheduling.Cluster;
using KrxSignal.Worker.Storage;
using KrxSignal.Worker.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;

namespace KrxSignal.Worker.Tests.Scheduling.Cluster;

public sealed class QuartzSchemaTests
{
    private static readonly ClusterIdentity Node = new("node-a", "node-a#00000001");

    [SkippableFact]
    public async Task Provision_FourNodesAtOnceOnAnEmptyDatabase_OneCreatesTheOthersFindItComplete()
    {
        var database = new PostgresDatabase(await (await PostgresServer.GetAsync()).CreateDatabaseAsync());
        var nodes = Enumerable.Range(0, 4).Select(_ => new QuartzSchema(database, Node, NullLogger<QuartzSchema>.Instance)).ToList();

        var created = await AtOnce.RunAsync(nodes.Select(n => (Func<Task<IReadOnlyList<string>>>)(() => n.ProvisionAsync(CancellationToken.None))));

        created.Count(c => c.Count > 0).Should().Be(1, "the advisory lock lets one node create the schema while the others wait");
        created.Single(c => c.Count > 0).Should().HaveCount(QuartzSchema.Tables.Count);
        await using var connection = await database.OpenAsync(CancellationToken.None);
        (await QuartzSchema.MissingTablesAsync(connection, null, CancellationToken.None)).Should().BeEmpty();
        var locks = await connection.QueryAsync<string>("SELECT lock_name FROM qrtz_locks WHERE sched_name = 'krx-signal-worker' ORDER BY lock_name");
        locks.Should().Equal("STATE_ACCESS", "TRIGGER_ACCESS");
    }

    [SkippableFact]
    public async Task Provision_SchemaAlreadyComplete_ChangesNothing()
    {
        var database = new PostgresDatabase(await (await PostgresServer.GetAsync()).CreateDatabaseAsync());
        var schema = new QuartzSchema(database, Node, NullLogger<QuartzSchema>.Instance);
        await schema.ProvisionAsync(CancellationToken.None);
        await using (var connection = await database.OpenAsync(CancellationToken.None))
        {
            await connection.ExecuteAsync("INSERT INTO qrtz_calendars (sched_name, calendar_name, calendar) VALUES ('krx-signal-worker', 'kept', '\\x00')");
        }

        var second = await schema.ProvisionAsync(CancellationToken.None);

        second.Should().BeEmpty();
        await using var check = await database.OpenAsync(CancellationToken.None);
        (await check.ExecuteScalarAsync<long>("SELECT count(*) FROM qrtz_calendars")).Should().Be(1, "a second start keeps what the first stored");
        (await check.ExecuteScalarAsync<long>("SELECT count(*) FROM qrtz_locks")).Should().Be(QuartzSchema.LockNames.Count);
    }
}
