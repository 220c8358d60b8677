using System.CommandLine;
using KrxSignal.Worker.Hosting;

namespace KrxSignal.Worker.Cli;

/// <summary>Commands whose contract is fixed but whose feature has not landed yet: they parse, then say so.</summary>
internal static class PendingCommands
{
    public static Command Replay()
    {
        var command = new Command("replay", "Run the whole pipeline over a recorded day on a virtual clock.");
        command.Arguments.Add(new Argument<FileInfo>("file") { Description = "A replay file (JSON Lines)." });
        command.Options.Add(new Option<FileInfo>("--db") { Description = "The database to write; a fresh temporary one by default." });
        return NotYet(command);
    }

    public static Command ExportRecording()
    {
        var command = new Command("export-recording", "Write a replay file from the snapshots the daemon recorded.");
        command.Options.Add(new Option<DateOnly>("--day") { Required = true, Description = "The KST trading day (yyyy-MM-dd)." });
        command.Options.Add(new Option<FileInfo>("--out") { Description = "Output file; standard output by default." });
        return NotYet(command);
    }

    private static Command NotYet(Command command)
    {
        command.SetAction(async (_, cancellationToken) =>
        {
            await Console.Error.WriteLineAsync($"'{command.Name}' is not yet available in this version of the Worker.");
            return ExitCodes.Failed;
        });
        return command;
    }
}
