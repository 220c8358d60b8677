using System.Data.Common;
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
            var database = host.Services.GetRequiredService<Database>().Location;
            if (!File.Exists(database))
            {
                await Console.Error.WriteLineAsync($"No database at {database}: nothing was recorded with this configuration.");
                return ExitCodes.Failed;
            }

            // Streamed: the first record is read before anything is created, so an empty day leaves no empty file.
            var exporter = new RecordingExporter(host.Services.GetRequiredService<Database>());
            await using var records = exporter.ExportAsync(parsed.GetValue(day), cancellationToken).GetAsyncEnumerator(cancellationToken);
            bool any;
            try
            {
                any = await records.MoveNextAsync();
            }
            catch (DbException e)
            {
                await Console.Error.WriteLineAsync($"The database {database} cannot be read: {e.Message.TrimEnd('.')}. Check Storage:DatabasePath.");
                return ExitCodes.Failed;
            }

            if (!any)
            {
                await Console.Error.WriteLineAsync($"No snapshots recorded on {parsed.GetValue(day):yyyy-MM-dd} (KST) in {database}.");
                return ExitCodes.Failed;
            }

            if (parsed.GetValue(output) is { } file)
            {
                int count;
                try
                {
                    await using var stream = file.Create();
                    count = await ReplayFile.WriteInOrderAsync(stream, Remaining(records), cancellationToken);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    await Console.Error.WriteLineAsync($"Cannot write {file.FullName}: {e.Message.TrimEnd('.')}. Choose a file in a folder you can write.");
                    return ExitCodes.Failed;
                }

                await Console.Error.WriteLineAsync($"{file.FullName}: {count} recordings");
            }
            else
            {
                await using var stdout = Console.OpenStandardOutput();
                await ReplayFile.WriteInOrderAsync(stdout, Remaining(records), cancellationToken);
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>The record the enumerator stands on, then the rest.</summary>
    private static async IAsyncEnumerable<ReplayRecord> Remaining(IAsyncEnumerator<ReplayRecord> records)
    {
        do
        {
            yield return records.Current;
        }
        while (await records.MoveNextAsync());
    }
}
