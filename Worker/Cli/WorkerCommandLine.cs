using System.CommandLine;
using KrxSignal.Worker.Configuration;
using KrxSignal.Worker.Hosting;
using KrxSignal.Worker.Storage;

namespace KrxSignal.Worker.Cli;

/// <summary>The command-line contract (README, "Commands" and "Exit codes"): commands, options and exit codes.</summary>
internal static class WorkerCommandLine
{
    public static async Task<int> InvokeAsync(string[] args, WorkerHostSettings? settings = null, CancellationToken cancellationToken = default)
    {
        settings ??= new WorkerHostSettings();
        var root = args is [] or ["run"] ? CreateDaemonRoot(settings) : CreateRoot(settings);
        var parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            foreach (var error in parsed.Errors)
            {
                await Console.Error.WriteLineAsync(error.Message);
            }

            await Console.Error.WriteLineAsync("Run 'Worker --help' for usage.");
            return ExitCodes.Usage;
        }

        try
        {
            // The host handles SIGTERM and Ctrl+C itself; the parser must not race it for them.
            return await parsed.InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null, EnableDefaultExceptionHandler = false }, cancellationToken);
        }
        catch (Exception e) when (ConfigurationErrors.TryDescribe(e, out var message))
        {
            await Console.Error.WriteLineAsync($"Configuration error: {message}");
            return ExitCodes.Configuration;
        }
        catch (DatabaseStartupException e)
        {
            await Console.Error.WriteLineAsync(e.Message);
            return ExitCodes.Fatal;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Whatever escaped a command ends in one sentence and a documented code, never a stack trace.
            await Console.Error.WriteLineAsync(UnexpectedFailure.Describe(e));
            return ExitCodes.Fatal;
        }
    }

    public static RootCommand CreateRoot(WorkerHostSettings settings)
    {
        var root = CreateDaemonRoot(settings);
        root.Subcommands.Add(StatusCommand.Create(settings));
        root.Subcommands.Add(DoctorCommand.Create(settings));
        root.Subcommands.Add(ScheduleCommand.Create(settings));
        root.Subcommands.Add(PollOnceCommand.Create(settings));
        root.Subcommands.Add(ReplayCommand.Create(settings));
        root.Subcommands.Add(ExportRecordingCommand.Create(settings));
        root.Subcommands.Add(SignalsCommand.Create(settings));
        root.Subcommands.Add(NotifyCommand.Create(settings));
        root.Subcommands.Add(StorageCommand.Create(settings));
        return root;
    }

    /// <summary>
    /// The tree for `Worker` and `Worker run` alone, which is how the service manager starts the daemon: the same
    /// parse for those arguments without building every other command's options first (a few milliseconds before READY).
    /// </summary>
    private static RootCommand CreateDaemonRoot(WorkerHostSettings settings)
    {
        var root = new RootCommand("KRX Signal Worker: polls the stock API in KRX market hours, predicts, signals and notifies.");
        RunCommand.Configure(root, settings);
        root.Subcommands.Add(RunCommand.Create(settings));
        return root;
    }
}
