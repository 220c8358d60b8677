using Dapper;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace KrxSignal.Worker.Storage;

/// <summary>Brings the file to the latest schema, one transaction per step, and checks its integrity.</summary>
internal sealed partial class SchemaMigrator(Database connections, ILogger<SchemaMigrator> logger, IReadOnlyList<Migration>? migrations = null)
{
    private const int SqliteCorrupt = 11;
    private const int SqliteNotADatabase = 26;

    private readonly IReadOnlyList<Migration> _migrations = migrations ?? Migration.Embedded;

    public int LatestVersion => _migrations.Count == 0 ? 0 : _migrations[^1].Version;

    /// <returns>The schema version the database is at afterwards.</returns>
    public async Task<int> MigrateAsync(CancellationToken cancellationToken)
    {
        var path = ((SqliteDatabase)connections).DatabasePath;
        var folder = Path.GetDirectoryName(path);
        if (!string.IsNullOrEmpty(folder))
        {
            Directory.CreateDirectory(folder);
        }

        Hosting.PrivateFiles.CreateIfMissing(path);
        await using var connection = await connections.OpenAsync(cancellationToken);

        // WAL persists in the file, so setting it once here covers every later connection.
        await connection.ExecuteAsync(new CommandDefinition("PRAGMA journal_mode = WAL;", cancellationToken: cancellationToken));

        // Each step reads the version inside its own write transaction (BEGIN IMMEDIATE): several processes starting
        // on a new file queue on the write lock, and each applies only what the one before it has not.
        var current = 0;
        while (true)
        {
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            current = await connection.ExecuteScalarAsync<int>(new CommandDefinition("PRAGMA user_version;", transaction: transaction, cancellationToken: cancellationToken));
            if (current > LatestVersion)
            {
                throw new DatabaseStartupException(
                    $"{connections.Location} has schema version {current}, but this Worker knows versions up to {LatestVersion}: " +
                    "it was written by a newer release. Run that release, or point Storage:DatabasePath at another file.");
            }

            if (_migrations.FirstOrDefault(m => m.Version > current) is not { } migration)
            {
                await transaction.RollbackAsync(cancellationToken);
                break;
            }

            await connection.ExecuteAsync(new CommandDefinition(migration.Sql, transaction: transaction, cancellationToken: cancellationToken));

            // user_version lives in the file header, which the transaction covers: the step and its number commit together.
            await connection.ExecuteAsync(new CommandDefinition($"PRAGMA user_version = {migration.Version};", transaction: transaction, cancellationToken: cancellationToken));
            await transaction.CommitAsync(cancellationToken);
            Log.Applied(logger, migration.Version, migration.Name, connections.Location);
        }

        return current;
    }

    public async Task CheckIntegrityAsync(CancellationToken cancellationToken)
    {
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

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Information, Message = "Database schema migrated to version {Version} ({Name}) in {Path}")]
        public static partial void Applied(ILogger logger, int version, string name, string path);
    }
}
