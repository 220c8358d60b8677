using KrxSignal.Worker.Configuration;
using Npgsql;

namespace KrxSignal.Worker.Storage;

public sealed class StorageOptions : IValidatedOptions
{
    public static string Section => "Storage";

    /// <summary><c>sqlite</c> (one machine, replay) or <c>postgres</c> (several nodes on one database, Quartz clustered).</summary>
    public StorageProvider Provider { get; set; } = StorageProvider.Sqlite;

    /// <summary>The SQLite file, relative to the application folder unless absolute.</summary>
    public string DatabasePath { get; set; } = "data/worker.db";

    /// <summary>The PostgreSQL database in Npgsql's format; its password belongs in the environment.</summary>
    public string? ConnectionString { get; set; }

    public void Validate(OptionsProblems problems)
    {
        if (Provider == StorageProvider.Sqlite)
        {
            problems.Required(nameof(DatabasePath), DatabasePath);
            return;
        }

        problems.Required(nameof(ConnectionString), ConnectionString);
        if (string.IsNullOrWhiteSpace(ConnectionString))
        {
            return;
        }

        try
        {
            // The builder's own message may quote the string, password included: say only what is wrong.
            _ = new NpgsqlConnectionStringBuilder(ConnectionString);
        }
        catch (ArgumentException)
        {
            problems.Add(nameof(ConnectionString), "is not a valid PostgreSQL connection string (Host=…;Database=…;Username=…)");
        }
    }
}
