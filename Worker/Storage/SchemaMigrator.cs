using Dapper;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace KrxSignal.Worker.Storage;

/// <summary>Brings the database to the latest schema, one transaction per step, and checks its integrity.</summary>
internal sealed partial class SchemaMigrator(Database connections, ILogger<SchemaMigrator> logger, IReadOnlyList<Migration>? migrations = null)
{
    private const int SqliteCorrupt = 11;
    private const int SqliteNotADatabase = 26;

    private readonly IReadOnlyList<Migration> _migrations = migrations ?? Migration.For(connections.Provider);
    private readonly SchemaVersioning _versioning = SchemaVersioning.For(connections.Provider);

    public int LatestVersion => _migrations.Count == 0 ? 0 : _migrations[^1].Version;

    /// <returns>The schema version the database is at afterwards.</returns>
    public async Task<int> MigrateAsync(CancellationToken cancellationToken)
    {
        if (connections is SqliteDatabase sqlite)
        {
            CreateFile(sqlite.DatabasePath);
        }

        await using var connection = await connections.OpenAsync(cancellationToken);
        await _versioning.PrepareAsync(connection, cancellationToken);
        var current = 0;
        while (true)
        {
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            current = await _versioning.LockAndReadAsync(connection, transaction, cancellationToken);
            if (current > LatestVersion)
            {
                throw new DatabaseStartupException(
                    $"{connections.Location} has schema version {current}, but this Worker knows versions up to {LatestVersion}: " +
                    "it was written by a newer release. Run that release, or point the Worker at another database.");
            }

            if (_migrations.FirstOrDefault(m => m.Version > current) is not { } migration)
            {
                await transaction.RollbackAsync(cancellationToken);
                break;
            }

            await connection.ExecuteAsync(new CommandDefinition(migration.Sql, transaction: transaction, cancellationToken: cancellationToken));
            await _versioning.WriteAsync(connection, transaction, migration, cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            Log.Applied(logger, migration.Version, migration.Name, connections.Location);
        }

        return current;
    }

    /// <summary>The recorded version, without migrating.</summary>
    public async Task<int> CurrentVersionAsync(CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken);
        return await _versioning.ReadAsync(connection, cancellationToken);
    }

    /// <summary>SQLite's quick_check; a PostgreSQL server checks its own pages, so there is nothing to ask it.</summary>
    public async Task CheckIntegrityAsync(CancellationToken cancellationToken)
    {
        if (connections.Provider != StorageProvider.Sqlite)
        {
            return;
        }

        List<string> problems;
        try
        {
            await using var connection = await connections.OpenAsync(cancellationToken);
            problems = (await connection.QueryAsync<string>(new CommandDefinition("PRAGMA quick_check;", cancellationToken: cancellationToken))).ToList();
        }
        catch (SqliteException e) when (e.SqliteErrorCode is SqliteCorrupt or SqliteNotADatabase)
        {
            problems = [e.Message];
        }

        if (problems is not ["ok"])
        {
            throw new DatabaseStartupException(
                $"{connections.Location} failed its integrity check ({string.Join("; ", problems.Take(3))}). " +
                "Stop the Worker, move the file aside (keep it for investigation) and restore a backup, or start with a fresh file.");
        }
    }

    private static void CreateFile(string path)
    {
        var folder = Path.GetDirectoryName(path);
        if (!string.IsNullOrEmpty(folder))
        {
            Directory.CreateDirectory(folder);
        }

        Hosting.PrivateFiles.CreateIfMissing(path);
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Information, Message = "Database schema migrated to version {Version} ({Name}) in {Path}")]
        public static partial void Applied(ILogger logger, int version, string name, string path);
    }
}
