using KrxSignal.Worker.Storage;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace KrxSignal.Worker.Tests.Support;

/// <summary>
/// Migrated databases for store tests: one of either provider, or two PostgreSQL nodes — two data sources, as two
/// processes would have — on one database. Their pools are small and let idle connections go within seconds, so a
/// run's many databases stay well under the test server's connection limit.
/// </summary>
public static class MigratedDatabases
{
    public static async Task<Database> CreateAsync(StorageProvider provider, TempFolder folder)
    {
        var database = provider == StorageProvider.Postgres
            ? new PostgresDatabase(await NewPostgresAsync())
            : await TestDatabases.CreateAsync(provider, folder);
        await MigrateAsync(database);
        return database;
    }

    /// <summary>Two nodes' connections to one migrated PostgreSQL database; skips (or fails) without the server.</summary>
    public static async Task<TwoNodes> TwoNodesAsync()
    {
        var connectionString = await NewPostgresAsync();
        var first = new PostgresDatabase(connectionString, "krx-worker-node-a");
        await MigrateAsync(first);
        return new TwoNodes(first, new PostgresDatabase(connectionString, "krx-worker-node-b"));
    }

    /// <summary>
    /// The Storage keys that point a test host at a fresh database of <paramref name="provider"/>: none for SQLite
    /// (<see cref="TestHost"/> already puts the file in its folder), a new PostgreSQL database otherwise. Pass the same
    /// settings to a second host to restart on the same database.
    /// </summary>
    public static async Task<Dictionary<string, string?>> HostSettingsAsync(StorageProvider provider) => provider == StorageProvider.Postgres
        ? TestDatabases.Settings(provider, await NewPostgresAsync())
        : [];

    private static Task<int> MigrateAsync(Database database) =>
        new SchemaMigrator(database, NullLogger<SchemaMigrator>.Instance).MigrateAsync(CancellationToken.None);

    private static async Task<string> NewPostgresAsync() => new NpgsqlConnectionStringBuilder(await (await PostgresServer.GetAsync()).CreateDatabaseAsync())
    {
        MaxPoolSize = 20,
        ConnectionIdleLifetime = 10,
        ConnectionPruningInterval = 5,
    }.ToString();
}

/// <summary>Two nodes on one database; disposing closes both pools.</summary>
public sealed record TwoNodes(PostgresDatabase First, PostgresDatabase Second) : IAsyncDisposable
{
    public async ValueTask DisposeAsync()
    {
        await First.DisposeAsync();
        await Second.DisposeAsync();
    }
}
