using Dapper;
using FluentAssertions;
using KrxSignal.Worker.Scheduling.Cluster;
using KrxSignal.Worker.Storage;
using KrxSignal.Worker.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Npgsql;

namespace KrxSignal.Worker.Tests.Scheduling.Cluster;

/// <summary>
/// `doctor`'s cluster line against the run's PostgreSQL server. The server's clock is this machine's, so a fake clock
/// set to the real time as the check starts stands for a node in step, and one set ahead for a node whose clock is off.
/// </summary>
public sealed class ClusterDoctorCheckTests
{
    private readonly FakeTimeProvider _time = new();
    private TimeSpan _clockError = TimeSpan.Zero;

    private static DateTimeOffset Now => TimeProvider.System.GetUtcNow();

    [SkippableFact]
    public async Task RunAsync_SchemaCompleteAndNodesInStep_PassesNamingEachNode()
    {
        var database = await ProvisionedAsync();
        await CheckInAsync(database, "node-a#1", Now.AddSeconds(-2));
        await CheckInAsync(database, "node-b#2", Now.AddSeconds(-1));

        var result = await Check(database).RunAsync(CancellationToken.None);

        result.Passed.Should().BeTrue(result.Detail);
        result.Warn.Should().BeFalse();
        result.Detail.Should().Contain("Quartz schema complete").And.Contain("node-a (checked in 2.0 s ago)").And.Contain("node-b (checked in 1.0 s ago)");
    }

    [SkippableFact]
    public async Task RunAsync_NodeCheckedInFromTheFuture_FailsNamingThatNode()
    {
        var database = await ProvisionedAsync();
        await CheckInAsync(database, "node-b#2", Now.AddSeconds(5));

        var result = await Check(database).RunAsync(CancellationToken.None);

        result.Passed.Should().BeFalse();
        result.Detail.Should().Contain("node node-b checked in 5.0 s in this node's future");
        result.Fix.Should().Contain("chrony");
    }

    [SkippableFact]
    public async Task RunAsync_NodeSilentPastItsThreshold_WarnsThatItStopped()
    {
        var database = await ProvisionedAsync();
        await CheckInAsync(database, "node-b#2", Now.AddMinutes(-3));

        var result = await Check(database).RunAsync(CancellationToken.None);

        result.Passed.Should().BeTrue(result.Detail);
        result.Warn.Should().BeTrue();
        result.Fix.Should().StartWith("node-b stopped checking in");
    }

    [SkippableFact]
    public async Task RunAsync_ThisClockTenSecondsOffTheServer_Fails()
    {
        var database = await ProvisionedAsync();
        _clockError = TimeSpan.FromSeconds(10);

        var result = await Check(database).RunAsync(CancellationToken.None);

        result.Passed.Should().BeFalse();
        result.Detail.Should().MatchRegex(@"this machine's clock is \+(9\.9|10\.0)\d{2} s off the database server's");
    }

    [SkippableFact]
    public async Task RunAsync_ATableDropped_FailsNamingIt()
    {
        var database = await ProvisionedAsync();
        await using (var connection = await database.OpenAsync(CancellationToken.None))
        {
            await connection.ExecuteAsync("DROP TABLE qrtz_calendars");
        }

        var result = await Check(database).RunAsync(CancellationToken.None);

        result.Passed.Should().BeFalse();
        result.Detail.Should().Contain("missing qrtz_calendars");
    }

    [SkippableFact]
    public async Task RunAsync_ServerUnreachable_FailsWithoutThePassword()
    {
        var server = await PostgresServer.GetAsync();
        var builder = new NpgsqlConnectionStringBuilder(server.ConnectionStringFor("postgres")) { Port = 1, Password = "s3cret-pw", Timeout = 2 };
        var database = new PostgresDatabase(builder.ToString());

        var result = await Check(database).RunAsync(CancellationToken.None);

        result.Passed.Should().BeFalse();
        result.Detail.Should().StartWith("postgres://127.0.0.1:1/postgres cannot be reached").And.NotContain("s3cret-pw");
        result.Fix.Should().Contain("Storage__ConnectionString");
    }

    private ClusterDoctorCheck Check(Database database)
    {
        _time.SetUtcNow(Now + _clockError);
        return new ClusterDoctorCheck(database, Options.Create(new ClusterOptions()), _time);
    }

    private static async Task<PostgresDatabase> ProvisionedAsync()
    {
        var database = new PostgresDatabase(await (await PostgresServer.GetAsync()).CreateDatabaseAsync());
        await new QuartzSchema(database, new ClusterIdentity("setup", "setup#0"), NullLogger<QuartzSchema>.Instance).ProvisionAsync(CancellationToken.None);
        return database;
    }

    /// <summary>The row Quartz's check-in writes: UTC ticks and the interval in milliseconds.</summary>
    private static async Task CheckInAsync(Database database, string instance, DateTimeOffset at)
    {
        await using var connection = await database.OpenAsync(CancellationToken.None);
        await connection.ExecuteAsync(
            "INSERT INTO qrtz_scheduler_state (sched_name, instance_name, last_checkin_time, checkin_interval) VALUES ('krx-signal-worker', @instance, @ticks, 7500)",
            new { instance, ticks = at.UtcTicks });
    }
}
