using Dapper;
using KrxSignal.Worker.Hosting;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;

namespace KrxSignal.Worker.Storage;

/// <summary>
/// Opens one connection per operation (connections are not thread-safe) with the per-connection
/// pragmas set every time: synchronous and busy_timeout do not persist in the file.
/// </summary>
public sealed class SqliteConnectionFactory
{
    // FULL, not NORMAL: NORMAL may lose the last commits on power loss, and a lost dedup row is a duplicate signal.
    private const int BusyTimeoutMs = 5000;

    private readonly string _connectionString;
    private readonly string _connectionPragmas;

    static SqliteConnectionFactory() => UtcTimeHandlers.Register();

    public SqliteConnectionFactory(IOptions<StorageOptions> options, AppPaths paths)
        : this(paths.Resolve(options.Value.DatabasePath))
    {
    }

    /// <param name="lockTimeoutSeconds">How long a statement waits for another writer's lock before it fails.</param>
    public SqliteConnectionFactory(string databasePath, int lockTimeoutSeconds = 30)
    {
        DatabasePath = databasePath;
        _connectionPragmas = $"PRAGMA synchronous = FULL; PRAGMA busy_timeout = {Math.Min(BusyTimeoutMs, lockTimeoutSeconds * 1000)}; PRAGMA foreign_keys = ON;";
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = databasePath,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = true,
            DefaultTimeout = lockTimeoutSeconds,
        }.ToString();
    }

    public string DatabasePath { get; }

    public async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken)
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
