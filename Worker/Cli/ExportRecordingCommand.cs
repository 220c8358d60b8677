using System.CommandLine;
using KrxSignal.Worker.Hosting;
using KrxSignal.Worker.Replay;
using KrxSignal.Worker.Storage;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;

namespace KrxSignal.Worker.Cli;

/// <summary>`Worker export-recording --day D [--out FILE]`: a replay file from the snapshots the daemon recorded.</summary>
internal static class ExportRecordingCommand
{
    public static Command Create(WorkerHostSettings settings)
    {
        var day = new Option<DateOnly>("--day") { Required = true, Description = "The KST trading day (yyyy-MM-dd)." };
        var output = new Option<FileInfo>("--out") { Description = "Output file; standard output by default." };
        var command = new Command("export-recording", "Write a replay file from the snapshots the daemon recorded.") { day, output };
        command.SetAction(async (parsed, cancellationToken) =>
        {
            using var host = WorkerHost.CreateBuilder(settings with { ConsoleLogsToStandardError = true, WritesLogFiles = false }).Build();
            var database = host.Services.GetRequiredService<SqliteConnectionFactory>().DatabasePath;
            if (!File.Exists(database))
            {
                await Console.Error.WriteLineAsync($"No database at {database}: nothing was recorded with this configuration.");
                return ExitCodes.Failed;
            }

            IReadOnlyList<ReplayRecord> records;
            try
            {
                records = await new RecordingExporter(host.Services.GetRequiredService<SqliteConnectionFactory>()).ExportAsync(parsed.GetValue(day), cancellationToken);
            }
            catch (SqliteException e)
            {
                await Console.Error.WriteLineAsync($"The database {database} cannot be read: {e.Message.TrimEnd('.')}. Check Storage:DatabasePath.");
                return ExitCodes.Failed;
            }

            if (records.Count == 0)
            {
                await Console.Error.WriteLineAsync($"No snapshots recorded on {parsed.GetValue(day):yyyy-MM-dd} (KST) in {database}.");
                return ExitCodes.Failed;
            }

            if (parsed.GetValue(output) is { } file)
            {
                try
                {
                    await using var stream = file.Create();
                    await ReplayFile.WriteAsync(stream, records, cancellationToken);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    await Console.Error.WriteLineAsync($"Cannot write {file.FullName}: {e.Message.TrimEnd('.')}. Choose a file in a folder you can write.");
                    return ExitCodes.Failed;
                }

                await Console.Error.WriteLineAsync($"{file.FullName}: {records.Count} recordings");
            }
            else
            {
                await using var stdout = Console.OpenStandardOutput();
                await ReplayFile.WriteAsync(stdout, records, cancellationToken);
            }

            return ExitCodes.Ok;
        });
        return command;
    }
}
