using KrxSignal.Worker.Storage;

namespace KrxSignal.Worker.Tests.Support;

/// <summary>
/// A fresh database of either provider, for the storage tests that must hold on both: an SQLite file in the test's
/// temp folder, or a new database on the run's throwaway PostgreSQL server. Use with <c>[SkippableTheory]</c> and
/// <c>[MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]</c>.
/// </summary>
public static class TestDatabases
{
    public static TheoryData<StorageProvider> Providers => new() { StorageProvider.Sqlite, StorageProvider.Postgres };

    public static async Task<Database> CreateAsync(StorageProvider provider, TempFolder folder) => provider switch
    {
        StorageProvider.Postgres => new PostgresDatabase(await (await PostgresServer.GetAsync()).CreateDatabaseAsync()),
        _ => new SqliteDatabase(folder.File("worker.db")),
    };

    /// <summary>The configuration keys that point a test host at <paramref name="database"/>.</summary>
    public static Dictionary<string, string?> Settings(StorageProvider provider, string sqlitePathOrConnectionString) => provider switch
    {
        StorageProvider.Postgres => new() { ["Storage:Provider"] = "postgres", ["Storage:ConnectionString"] = sqlitePathOrConnectionString },
        _ => new() { ["Storage:DatabasePath"] = sqlitePathOrConnectionString },
    };
}
