using System.Runtime.CompilerServices;
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

        if (!ParsesAsPostgres(ConnectionString))
        {
            problems.Add(nameof(ConnectionString), "is not a valid PostgreSQL connection string (Host=…;Database=…;Username=…)");
        }
    }

    // A method of its own, not inlined: compiling Validate then does not load Npgsql into every SQLite process.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static bool ParsesAsPostgres(string connectionString)
    {
        try
        {
            _ = new NpgsqlConnectionStringBuilder(connectionString);
            return true;
        }
        catch (ArgumentException)
        {
            // The builder's own message may quote the string, password included: say only what is wrong.
            return false;
        }
    }
}
