using KrxSignal.Worker.Hosting;
using KrxSignal.Worker.Storage;
using Microsoft.Extensions.Configuration;

namespace KrxSignal.Worker.Cli;

/// <summary>
/// Where `Worker signals` reads: the SQLite file named by --db when given; otherwise the configured database, the
/// SQLite file of Storage:DatabasePath or, with Storage:Provider=postgres, the PostgreSQL database of
/// Storage:ConnectionString (the daemon's own, so a node shows what the whole cluster signalled).
/// </summary>
/// <param name="Target">The SQLite file, or the PostgreSQL connection string (a secret: never printed; see <see cref="Problem"/>).</param>
/// <param name="Problem">Why the configuration names no database to read; null when it does.</param>
internal sealed record SignalsSource(StorageProvider Provider, string Target, string? Problem = null)
{
    public static SignalsSource File(string path) => new(StorageProvider.Sqlite, path);

    public static SignalsSource Resolve(WorkerHostSettings settings, string? databaseFile)
    {
        if (databaseFile is not null)
        {
            return File(databaseFile);
        }

        var builder = WorkerHost.CreateBuilder(settings with { ConsoleLogsToStandardError = true });
        var options = new StorageOptions();
        builder.Configuration.GetSection(StorageOptions.Section).Bind(options);
        if (options.Provider != StorageProvider.Postgres)
        {
            var configured = string.IsNullOrWhiteSpace(options.DatabasePath) ? new StorageOptions().DatabasePath : options.DatabasePath;
            return File(new AppPaths(builder.Environment.ContentRootPath).Resolve(configured));
        }

        return string.IsNullOrWhiteSpace(options.ConnectionString)
            ? new(StorageProvider.Postgres, "", "Storage:Provider is postgres but Storage:ConnectionString is not set: set it (Storage__ConnectionString), or name an SQLite file with --db.")
            : new(StorageProvider.Postgres, options.ConnectionString);
    }
}
