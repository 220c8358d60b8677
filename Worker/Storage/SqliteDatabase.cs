using System.Data.Common;
using Dapper;
using KrxSignal.Worker.Hosting;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;

namespace KrxSignal.Worker.Storage;

/// <summary>
/// The embedded SQLite file. Opens one connection per operation (connections are not thread-safe) with the per-connection
/// pragmas set every time: synchronous and busy_timeout do not persist in the file.
/// </summary>
public sealed class SqliteDatabase : Database
{
    // FULL, not NORMAL: NORMAL may lose the last commits on power loss, and a lost dedup row is a duplicate signal.
    private const int BusyTimeoutMs = 5000;

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
    public SqliteDatabase(string databasePath, int lockTimeoutSeconds = 30, bool durable = true)
    {
        DatabasePath = databasePath;
        _connectionPragmas = $"PRAGMA synchronous = {(durable ? "FULL" : "NORMAL")}; PRAGMA busy_timeout = {Math.Min(BusyTimeoutMs, lockTimeoutSeconds * 1000)}; PRAGMA foreign_keys = ON;";
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
            await connection.ExecuteAsync(new CommandDefinition(_connectionPragmas, cancellationToken: cancellationToken));
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }
}
