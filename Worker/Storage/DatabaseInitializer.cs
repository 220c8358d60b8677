using System.Data.Common;

namespace KrxSignal.Worker.Storage;

/// <summary>Migrates and checks the database; one that cannot be used becomes one message naming it and the fix.</summary>
internal sealed class DatabaseInitializer(SchemaMigrator migrator, Database connections)
{
    public async Task InitializeAsync(CancellationToken cancellationToken)
    {
        try
        {
            await migrator.MigrateAsync(cancellationToken);
            await migrator.CheckIntegrityAsync(cancellationToken);
        }
        catch (DbException e)
        {
            throw new DatabaseStartupException(
                $"The database {connections.Location} cannot be used: {Message(e)}. {Fix(connections.Provider)}", e);
        }
    }

    /// <summary>The exception's own words, which for PostgreSQL never quote the connection string (so no password).</summary>
    private static string Message(DbException e) => e.Message.ReplaceLineEndings(" ").TrimEnd('.');

    private static string Fix(StorageProvider provider) => provider == StorageProvider.Postgres
        ? "Check Storage:ConnectionString (host, port, database, user; the password from the environment) and that the server is running and accepts this user."
        : "Check Storage:DatabasePath, the folder's permissions, and that the file is an SQLite database.";
}
