using System.Data.Common;
using Dapper;
using KrxSignal.Worker.Health.Doctor;

namespace KrxSignal.Worker.Storage;

/// <summary>
/// Schema version, integrity, and proof that the database takes writes: a write inside a transaction that is rolled
/// back, so nothing changes. A write lock held by another process is reported as such, not as a permissions problem.
/// A PostgreSQL database is named by <see cref="Database.Location"/> (host, port, database), never by its connection
/// string, so no password reaches the output.
/// </summary>
/// <param name="lockTimeoutSeconds">How long the probe write waits for another writer; the daemon's own writes are far shorter.</param>
internal sealed class DatabaseCheck(Database connections, SchemaMigrator migrator, int lockTimeoutSeconds = 5) : IDoctorCheck
{
    public string Name => "database";

    public async Task<DoctorResult> RunAsync(CancellationToken cancellationToken) => connections is SqliteDatabase sqlite
        ? await RunOnFileAsync(sqlite.DatabasePath, cancellationToken)
        : await new ServerDatabaseCheck(connections, migrator.LatestVersion, lockTimeoutSeconds).RunAsync(cancellationToken);

    private async Task<DoctorResult> RunOnFileAsync(string path, CancellationToken cancellationToken)
    {
        if (!File.Exists(path))
        {
            return FolderProbe.CanCreateIn(Path.GetDirectoryName(path), out var problem)
                ? DoctorResult.Pass($"{path} does not exist yet; it is created at start")
                : DoctorResult.Fail($"{path} cannot be created: {problem}", "Point Storage:DatabasePath at a folder the service account can write");
        }

        try
        {
            var probe = new SqliteDatabase(path, lockTimeoutSeconds);
            await using var connection = await probe.OpenAsync(cancellationToken);
            var version = await connection.ExecuteScalarAsync<int>(new CommandDefinition("PRAGMA user_version;", cancellationToken: cancellationToken));
            if (version > migrator.LatestVersion)
            {
                return DoctorResult.Fail($"{path} has schema version {version}, newer than this Worker's {migrator.LatestVersion}", "Run the newer release that wrote it, or use another file");
            }

            await migrator.CheckIntegrityAsync(cancellationToken);
            await ProbeWriteAsync(connection, cancellationToken);
            return DoctorResult.Pass($"{path} schema version {version} of {migrator.LatestVersion}, integrity ok, writable");
        }
        catch (DatabaseStartupException e)
        {
            return DoctorResult.Fail(e.Message, "Restore a backup or move the file aside");
        }
        catch (DbException e)
        {
            return DatabaseFaults.Classify(e) switch
            {
                "database locked by another process" => DoctorResult.Fail(
                    $"{path} is locked by another process: a write waited {lockTimeoutSeconds} s for its lock and was refused",
                    $"Find the process holding it (fuser {path}) — a second Worker, an open sqlite3 shell, a backup — and end it"),
                "database read-only" => DoctorResult.Fail(
                    $"{path} is read-only for this user: {e.Message}",
                    "Let the service account write the file and its folder (SQLite writes -wal and -shm files beside it)"),
                "disk full" => DoctorResult.Fail($"{path}: the disk is full", "Free space on the disk that holds the database"),
                _ => DoctorResult.Fail($"{path} cannot be used: {e.Message}", "Check the file's permissions, or that it is an SQLite database"),
            };
        }
    }

    /// <summary>Takes the write lock and changes the schema, then rolls back: the file ends as it was.</summary>
    private static async Task ProbeWriteAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition("CREATE TABLE doctor_write_probe (x INTEGER) STRICT; INSERT INTO doctor_write_probe VALUES (1);", transaction: transaction, cancellationToken: cancellationToken));
        await transaction.RollbackAsync(cancellationToken);
    }
}
