using System.Data.Common;
using System.Runtime.CompilerServices;
using Dapper;
using KrxSignal.Worker.Hosting;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;
using SQLitePCL;

namespace KrxSignal.Worker.Storage;

/// <summary>
/// The embedded SQLite file. Opens one connection per operation (connections are not thread-safe) with the per-connection
/// pragmas set on every physical connection: synchronous and busy_timeout do not persist in the file, but they do persist
/// on a pooled connection, so one handed back by the pool with this database's pragmas already set is not set again.
/// </summary>
public sealed class SqliteDatabase : Database
{
    // FULL, not NORMAL: NORMAL may lose the last commits on power loss, and a lost dedup row is a duplicate signal.
    private const int BusyTimeoutMs = 5000;

    // Which pragmas each open physical connection carries; an entry goes with its handle when the pool closes it.
    private static readonly ConditionalWeakTable<sqlite3, string> PragmasSet = [];

    private readonly string _connectionString;
    private readonly string _connectionPragmas;

    public SqliteDatabase(IOptions<StorageOptions> options, AppPaths paths)
        : this(paths.Resolve(options.Value.DatabasePath))
    {
    }

    /// <param name="lockTimeoutSeconds">How long a statement waits for another writer's lock before it fails.</param>
    /// <param name="durable">
    /// False only for a database that can be rebuilt by running again (replay's own file): synchronous=NORMAL, so a commit
    /// does not wait for the disk; in WAL mode the file stays consistent, a power cut may lose the last commits.
    /// </param>
    /// <param name="pageCacheKiB">
    /// Each pooled connection's page cache (PRAGMA cache_size); null keeps SQLite's default of 2,000 KiB. Pages not cached
    /// are read again from the operating system's file cache.
    /// </param>
    public SqliteDatabase(string databasePath, int lockTimeoutSeconds = 30, bool durable = true, int? pageCacheKiB = null)
    {
        DatabasePath = databasePath;
        var cache = pageCacheKiB is { } kib ? $" PRAGMA cache_size = -{kib};" : "";
        _connectionPragmas = $"PRAGMA synchronous = {(durable ? "FULL" : "NORMAL")}; PRAGMA busy_timeout = {Math.Min(BusyTimeoutMs, lockTimeoutSeconds * 1000)}; PRAGMA foreign_keys = ON;{cache}";
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = databasePath,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = true,
            DefaultTimeout = lockTimeoutSeconds,
        }.ToString();
    }

    public string DatabasePath { get; }

    public override StorageProvider Provider => StorageProvider.Sqlite;

    public override string Location => DatabasePath;

    public override async Task<DbConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken);

            // A day's replay opens about 9,000 connections; parsing three pragmas on each was a tenth of its time.
            if (connection.Handle is not { } handle || !PragmasSet.TryGetValue(handle, out var set) || set != _connectionPragmas)
            {
                await connection.ExecuteAsync(new CommandDefinition(_connectionPragmas, cancellationToken: cancellationToken));
                if (connection.Handle is { } opened)
                {
                    PragmasSet.AddOrUpdate(opened, _connectionPragmas);
                }
            }

            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }
}
