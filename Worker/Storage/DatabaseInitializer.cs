using System.Data.Common;

namespace KrxSignal.Worker.Storage;

/// <summary>Migrates and checks the database; a file that cannot be used becomes one message naming it and the fix.</summary>
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
            var fix = connections.Provider == StorageProvider.Postgres
                ? "Check Storage:ConnectionString (host, port, database, user), that the server is running, and that the user may create tables."
                : "Check Storage:DatabasePath, the folder's permissions, and that the file is an SQLite database.";
            throw new DatabaseStartupException($"The database {connections.Location} cannot be used: {e.Message.TrimEnd('.')}. {fix}", e);
        }
    }
}
