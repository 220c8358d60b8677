using System.CommandLine;
using KrxSignal.Worker.Hosting;
using KrxSignal.Worker.Storage;
using KrxSignal.Worker.Storage.Copy;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace KrxSignal.Worker.Cli;

/// <summary>
/// `Worker storage copy --to postgres [--from FILE]`: copies the SQLite database (Storage:DatabasePath by default) into
/// the PostgreSQL database of Storage:ConnectionString, both brought to the latest schema first. Safe to run again:
/// only missing rows are added. Exit 0 copied, 2 failed, 78 no connection string.
/// </summary>
internal static class StorageCommand
{
    public static Command Create(WorkerHostSettings settings)
    {
        var command = new Command("storage", "Manage where the Worker keeps its tables.");
        command.Subcommands.Add(Copy(settings));
        return command;
    }

    private static Command Copy(WorkerHostSettings settings)
    {
        var to = new Option<string>("--to") { Required = true, Description = "The provider to copy into: postgres (Storage:ConnectionString)." };
        to.AcceptOnlyFromAmong("postgres");
        var from = new Option<FileInfo>("--from") { Description = "The SQLite file to copy; Storage:DatabasePath by default." };
        var command = new Command("copy", "Copy every table of the SQLite database into PostgreSQL, keeping ids; a rerun adds only what is missing.") { to, from };
        command.SetAction(async (parsed, cancellationToken) =>
        {
            using var host = WorkerHost.CreateBuilder(settings with { ConsoleLogsToStandardError = true, WritesLogFiles = false }).Build();
            var options = host.Services.GetRequiredService<IOptions<StorageOptions>>().Value;
            if (string.IsNullOrWhiteSpace(options.ConnectionString))
            {
                await Console.Error.WriteLineAsync("Nowhere to copy to: Storage:ConnectionString is not set. Set Storage__ConnectionString (Host=…;Database=…;Username=…;Password=…) in the environment and try again.");
                return ExitCodes.Configuration;
            }

            var path = parsed.GetValue(from)?.FullName ?? host.Services.GetRequiredService<AppPaths>().Resolve(options.DatabasePath);
            if (!File.Exists(path))
            {
                await Console.Error.WriteLineAsync($"No SQLite database at {path}: nothing to copy. Name the file with --from.");
                return ExitCodes.Failed;
            }

            var logs = host.Services.GetRequiredService<ILogger<SchemaMigrator>>();
            var source = new SqliteDatabase(path);
            await using var target = new PostgresDatabase(options.ConnectionString);
            try
            {
                var sourceVersion = await new SchemaMigrator(source, logs).MigrateAsync(cancellationToken);
                var targetVersion = await new SchemaMigrator(target, logs).MigrateAsync(cancellationToken);
                if (sourceVersion != targetVersion)
                {
                    await Console.Error.WriteLineAsync($"{path} is at schema version {sourceVersion} and {target.Location} at {targetVersion}: copy with the release that matches both.");
                    return ExitCodes.Failed;
                }

                await Console.Out.WriteLineAsync($"Copying {path} into {target.Location} (schema version {sourceVersion})");
                var tables = await new SqliteToPostgresCopy(source, target).RunAsync(t => Console.Out.WriteLine($"  {t.Table,-15} {t.Read,9:N0} rows read, {t.Inserted,9:N0} new, {t.Read - t.Inserted,9:N0} already there"), cancellationToken);
                await Console.Out.WriteLineAsync($"Copied {tables.Sum(t => t.Inserted):N0} new rows of {tables.Sum(t => t.Read):N0} in {tables.Count} tables. Running it again adds only rows that are missing.");
                return ExitCodes.Ok;
            }
            catch (System.Data.Common.DbException e)
            {
                await Console.Error.WriteLineAsync($"Copy failed: {DatabaseFaults.Describe(e, e is Npgsql.NpgsqlException ? target.Location : path)}. Nothing already copied is lost; fix the cause and run it again.");
                return ExitCodes.Failed;
            }
        });
        return command;
    }
}
