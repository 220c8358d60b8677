using System.Net;
using System.Net.Sockets;
using Dapper;
using KrxSignal.Worker.Storage;
using KrxSignal.Worker.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace KrxSignal.Worker.Tests.Storage;

/// <summary>Doctor's database check on PostgreSQL: the server, the schema version, a rolled-back write; never the password.</summary>
public sealed class ServerDatabaseCheckTests
{
    private const string Password = "pw-must-not-show";

    [SkippableFact]
    public async Task Run_MigratedDatabase_PassesAndLeavesNoTrace()
    {
        var database = new PostgresDatabase(WithPassword(await (await PostgresServer.GetAsync()).CreateDatabaseAsync()));
        var migrator = new SchemaMigrator(database, NullLogger<SchemaMigrator>.Instance);
        await migrator.MigrateAsync(CancellationToken.None);

        var result = await new DatabaseCheck(database, migrator).RunAsync(CancellationToken.None);

        result.Passed.Should().BeTrue(result.Detail);
        result.Detail.Should().Be($"{database.Location} schema version {migrator.LatestVersion} of {migrator.LatestVersion}, writable");
        await using var connection = await database.OpenAsync(CancellationToken.None);
        (await connection.ExecuteScalarAsync<bool>("SELECT to_regclass('doctor_write_probe') IS NOT NULL")).Should().BeFalse("the probe write was rolled back");
    }

    [SkippableFact]
    public async Task Run_SchemaNewerThanThisWorker_FailsNamingBothVersions()
    {
        var database = new PostgresDatabase(await (await PostgresServer.GetAsync()).CreateDatabaseAsync());
        var migrator = new SchemaMigrator(database, NullLogger<SchemaMigrator>.Instance);
        await migrator.MigrateAsync(CancellationToken.None);
        await using (var connection = await database.OpenAsync(CancellationToken.None))
        {
            await connection.ExecuteAsync("INSERT INTO schema_migrations (version, name) VALUES (@version, 'from a newer release')", new { version = migrator.LatestVersion + 1 });
        }

        var result = await new DatabaseCheck(database, migrator).RunAsync(CancellationToken.None);

        result.Passed.Should().BeFalse();
        result.Detail.Should().Be($"{database.Location} has schema version {migrator.LatestVersion + 1}, newer than this Worker's {migrator.LatestVersion}");
        result.Fix.Should().Contain("newer release");
    }

    [SkippableFact]
    public async Task Run_EmptyDatabase_PassesSayingTheTablesAreCreatedAtStart()
    {
        var database = new PostgresDatabase(await (await PostgresServer.GetAsync()).CreateDatabaseAsync());
        var migrator = new SchemaMigrator(database, NullLogger<SchemaMigrator>.Instance);

        var result = await new DatabaseCheck(database, migrator).RunAsync(CancellationToken.None);

        result.Passed.Should().BeTrue(result.Detail);
        result.Detail.Should().Contain("reachable and writable").And.Contain("created at start");
    }

    [SkippableFact]
    public async Task Run_DatabaseMissingOnTheServer_FailsSayingSoWithHowToCreateIt()
    {
        var server = await PostgresServer.GetAsync();
        var database = new PostgresDatabase(WithPassword(server.ConnectionStringFor("krx_never_created")));
        var migrator = new SchemaMigrator(database, NullLogger<SchemaMigrator>.Instance);

        var result = await new DatabaseCheck(database, migrator).RunAsync(CancellationToken.None);

        result.Passed.Should().BeFalse();
        result.Detail.Should().StartWith($"postgres://127.0.0.1:{server.Port}/krx_never_created does not exist on the server").And.NotContain(Password);
        result.Fix.Should().Contain("createdb");
    }

    [Fact]
    public async Task Run_NoServerListening_FailsNamingHostPortAndDatabaseButNotThePassword()
    {
        var port = ClosedPort();
        var database = new PostgresDatabase($"Host=127.0.0.1;Port={port};Database=krx;Username=worker;Password={Password};Timeout=5");
        var migrator = new SchemaMigrator(database, NullLogger<SchemaMigrator>.Instance);

        var result = await new DatabaseCheck(database, migrator).RunAsync(CancellationToken.None);

        result.Passed.Should().BeFalse();
        result.Detail.Should().StartWith($"postgres://127.0.0.1:{port}/krx cannot be reached: ").And.NotContain(Password);
        result.Fix.Should().Contain("Start the PostgreSQL server").And.NotContain(Password);
    }

    private static string WithPassword(string connectionString) =>
        new NpgsqlConnectionStringBuilder(connectionString) { Password = Password }.ToString(); // trust auth ignores it

    /// <summary>A loopback port nothing listens on: bound once to learn a free number, then released.</summary>
    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
