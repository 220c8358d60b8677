using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Hosting;

namespace KrxSignal.Worker.Storage;

/// <summary>Migrates and checks the database before any other hosted service starts (it is registered first).</summary>
public sealed class DatabaseInitializer(SchemaMigrator migrator, SqliteConnectionFactory connections) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            await migrator.MigrateAsync(cancellationToken);
            await migrator.CheckIntegrityAsync(cancellationToken);
        }
        catch (SqliteException e)
        {
            throw new DatabaseStartupException(
                $"The database {connections.DatabasePath} cannot be used: {e.Message.TrimEnd('.')}. " +
                "Check Storage:DatabasePath, the folder's permissions, and that the file is an SQLite database.", e);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
