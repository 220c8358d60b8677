using Dapper;
using KrxSignal.Worker.Health.Doctor;

namespace KrxSignal.Worker.Storage;

/// <summary>Reads the database without changing it: schema version and integrity.</summary>
internal sealed class DatabaseCheck(SqliteConnectionFactory connections, SchemaMigrator migrator) : IDoctorCheck
{
    public string Name => "database";

    public async Task<DoctorResult> RunAsync(CancellationToken cancellationToken)
    {
        var path = connections.DatabasePath;
        if (!File.Exists(path))
        {
            return FolderProbe.CanCreateIn(Path.GetDirectoryName(path), out var problem)
                ? DoctorResult.Pass($"{path} does not exist yet; it is created at start")
                : DoctorResult.Fail($"{path} cannot be created: {problem}", "Point Storage:DatabasePath at a folder the service account can write");
        }

        try
        {
            await using var connection = await connections.OpenAsync(cancellationToken);
            var version = await connection.ExecuteScalarAsync<int>(new CommandDefinition("PRAGMA user_version;", cancellationToken: cancellationToken));
            if (version > migrator.LatestVersion)
            {
                return DoctorResult.Fail($"{path} has schema version {version}, newer than this Worker's {migrator.LatestVersion}", "Run the newer release that wrote it, or use another file");
            }

            await migrator.CheckIntegrityAsync(cancellationToken);
            return DoctorResult.Pass($"{path} schema version {version} of {migrator.LatestVersion}, integrity ok");
        }
        catch (DatabaseStartupException e)
        {
            return DoctorResult.Fail(e.Message, "Restore a backup or move the file aside");
        }
        catch (Microsoft.Data.Sqlite.SqliteException e)
        {
            return DoctorResult.Fail($"{path} cannot be read: {e.Message}", "Check the file's permissions, or that it is an SQLite database");
        }
    }
}
