using System.Data.Common;
using Dapper;

namespace KrxSignal.Worker.Storage;

/// <summary>
/// How a provider records its schema version and keeps two processes from migrating at once. Each step runs in one
/// transaction that first takes the provider's migration lock, then reads the version, so nodes starting together
/// queue and each applies only what the one before it has not.
/// </summary>
internal abstract class SchemaVersioning
{
    public static SchemaVersioning For(StorageProvider provider) => provider == StorageProvider.Postgres ? new Postgres() : new Sqlite();

    /// <summary>Once per migration run, before the first step.</summary>
    public abstract Task PrepareAsync(DbConnection connection, CancellationToken cancellationToken);

    /// <summary>Takes the migration lock inside <paramref name="transaction"/> and reads the version under it.</summary>
    public abstract Task<int> LockAndReadAsync(DbConnection connection, DbTransaction transaction, CancellationToken cancellationToken);

    public abstract Task WriteAsync(DbConnection connection, DbTransaction transaction, Migration step, CancellationToken cancellationToken);

    /// <summary>The version, read without taking the lock (doctor, the signals command).</summary>
    public abstract Task<int> ReadAsync(DbConnection connection, CancellationToken cancellationToken);

    private sealed class Sqlite : SchemaVersioning
    {
        // WAL persists in the file, so setting it once here covers every later connection.
        public override Task PrepareAsync(DbConnection connection, CancellationToken cancellationToken) =>
            connection.ExecuteAsync(new CommandDefinition("PRAGMA journal_mode = WAL;", cancellationToken: cancellationToken));

        // BeginTransaction is BEGIN IMMEDIATE in Microsoft.Data.Sqlite: the write lock is already held here.
        public override Task<int> LockAndReadAsync(DbConnection connection, DbTransaction transaction, CancellationToken cancellationToken) =>
            connection.ExecuteScalarAsync<int>(new CommandDefinition("PRAGMA user_version;", transaction: transaction, cancellationToken: cancellationToken));

        // user_version lives in the file header, which the transaction covers: the step and its number commit together.
        public override Task WriteAsync(DbConnection connection, DbTransaction transaction, Migration step, CancellationToken cancellationToken) =>
            connection.ExecuteAsync(new CommandDefinition($"PRAGMA user_version = {step.Version};", transaction: transaction, cancellationToken: cancellationToken));

        public override Task<int> ReadAsync(DbConnection connection, CancellationToken cancellationToken) =>
            connection.ExecuteScalarAsync<int>(new CommandDefinition("PRAGMA user_version;", cancellationToken: cancellationToken));
    }

    private sealed class Postgres : SchemaVersioning
    {
        /// <summary>The advisory lock every node's migration takes; an arbitrary constant ("krxmigr" in ASCII).</summary>
        public const long MigrationLock = 0x6B72786D696772;

        private const string Table = "schema_migrations";

        // Two nodes may both run this on an empty database: IF NOT EXISTS can still race on the catalog, so it runs
        // under the same lock as the steps.
        public override async Task PrepareAsync(DbConnection connection, CancellationToken cancellationToken)
        {
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            await connection.ExecuteAsync(new CommandDefinition(
                $"""
                SELECT pg_advisory_xact_lock({MigrationLock});
                CREATE TABLE IF NOT EXISTS {Table} (
                    version     integer     NOT NULL PRIMARY KEY,
                    name        text        NOT NULL,
                    applied_at  timestamptz NOT NULL DEFAULT now()
                );
                """,
                transaction: transaction,
                cancellationToken: cancellationToken));
            await transaction.CommitAsync(cancellationToken);
        }

        public override async Task<int> LockAndReadAsync(DbConnection connection, DbTransaction transaction, CancellationToken cancellationToken)
        {
            await connection.ExecuteAsync(new CommandDefinition($"SELECT pg_advisory_xact_lock({MigrationLock});", transaction: transaction, cancellationToken: cancellationToken));
            return await connection.ExecuteScalarAsync<int>(new CommandDefinition($"SELECT COALESCE(MAX(version), 0) FROM {Table};", transaction: transaction, cancellationToken: cancellationToken));
        }

        public override Task WriteAsync(DbConnection connection, DbTransaction transaction, Migration step, CancellationToken cancellationToken) =>
            connection.ExecuteAsync(new CommandDefinition(
                $"INSERT INTO {Table} (version, name) VALUES (@Version, @Name);", new { step.Version, step.Name }, transaction, cancellationToken: cancellationToken));

        // Two statements: PostgreSQL resolves every table a statement names before it runs, so a CASE that reads
        // the table only when it exists still fails on a database that has none.
        public override async Task<int> ReadAsync(DbConnection connection, CancellationToken cancellationToken)
        {
            var exists = await connection.ExecuteScalarAsync<bool>(new CommandDefinition(
                $"SELECT to_regclass('{Table}') IS NOT NULL;", cancellationToken: cancellationToken));
            return exists
                ? await connection.ExecuteScalarAsync<int>(new CommandDefinition($"SELECT COALESCE(MAX(version), 0) FROM {Table};", cancellationToken: cancellationToken))
                : 0;
        }
    }
}
