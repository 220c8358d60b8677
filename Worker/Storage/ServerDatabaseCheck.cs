using System.Data.Common;
using Dapper;
using KrxSignal.Worker.Health.Doctor;

namespace KrxSignal.Worker.Storage;

/// <summary>
/// Doctor's database check on a PostgreSQL server: that it answers, the schema version against this Worker's latest,
/// and a write (a table created and a row inserted) in a transaction that is rolled back. Every line names the
/// database by host, port and database only; Npgsql's own messages do not quote the connection string.
/// </summary>
internal sealed class ServerDatabaseCheck(Database connections, int latestVersion, int lockTimeoutSeconds)
{
    public async Task<DoctorResult> RunAsync(CancellationToken cancellationToken)
    {
        var where = connections.Location;
        try
        {
            await using var connection = await connections.OpenAsync(cancellationToken);
            var version = await SchemaVersioning.For(connections.Provider).ReadAsync(connection, cancellationToken);
            if (version > latestVersion)
            {
                return DoctorResult.Fail(
                    $"{where} has schema version {version}, newer than this Worker's {latestVersion}",
                    "Run the newer release that migrated it on every node, or point Storage:ConnectionString at another database");
            }

            await ProbeWriteAsync(connection, cancellationToken);
            return DoctorResult.Pass(version == 0
                ? $"{where} reachable and writable; its tables are created at start (schema version {latestVersion})"
                : $"{where} schema version {version} of {latestVersion}, writable");
        }
        catch (DbException e)
        {
            var message = e.Message.ReplaceLineEndings(" ").TrimEnd('.');
            return DatabaseFaults.Classify(e) switch
            {
                "database server unreachable" => DoctorResult.Fail(
                    $"{where} cannot be reached: {message}",
                    "Start the PostgreSQL server, or correct Host and Port in Storage:ConnectionString; check a firewall between the nodes and the server"),
                "database login refused" => DoctorResult.Fail(
                    $"{where} refused the login: {message}",
                    "Check Username in Storage:ConnectionString and the password in the environment (Storage__ConnectionString), and pg_hba.conf"),
                "database does not exist" => DoctorResult.Fail(
                    $"{where} does not exist on the server: {message}",
                    "Create it (createdb) and grant the Worker's user CREATE on it, or correct Database in Storage:ConnectionString"),
                "database locked by another process" => DoctorResult.Fail(
                    $"{where}: the probe write waited {lockTimeoutSeconds} s for a lock and was refused: {message}",
                    "Look for a long transaction holding locks (pg_stat_activity) and end it"),
                var what => DoctorResult.Fail(
                    $"{where} cannot be used ({what}): {message}",
                    "Check Storage:ConnectionString and that the Worker's user may create tables in the database"),
            };
        }
    }

    /// <summary>DDL is transactional in PostgreSQL: the table and its row vanish with the rollback.</summary>
    private async Task ProbeWriteAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            $"SET LOCAL lock_timeout = '{lockTimeoutSeconds}s'; CREATE TABLE doctor_write_probe (x bigint); INSERT INTO doctor_write_probe VALUES (1);",
            transaction: transaction,
            cancellationToken: cancellationToken));
        await transaction.RollbackAsync(cancellationToken);
    }
}
