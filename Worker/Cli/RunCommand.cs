using System.CommandLine;
using KrxSignal.Worker.Configuration;
using KrxSignal.Worker.Hosting;
using KrxSignal.Worker.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.WindowsServices;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace KrxSignal.Worker.Cli;

/// <summary>`Worker` and `Worker run`: the daemon. Exit 0 only on a clean stop.</summary>
internal static partial class RunCommand
{
    public static Command Create(WorkerHostSettings settings)
    {
        var command = new Command("run", "Run the daemon (the default when no command is given).");
        Configure(command, settings);
        return command;
    }

    public static void Configure(Command command, WorkerHostSettings settings) =>
        command.SetAction((_, _) => RunAsync(settings));

    private static async Task<int> RunAsync(WorkerHostSettings settings)
    {
        using var host = WorkerHost.CreateBuilder(settings).Build();
        var logger = host.Services.GetRequiredService<ILoggerFactory>().CreateLogger("KrxSignal.Worker");
        try
        {
            host.Services.GetRequiredService<IStartupValidator>().Validate();

            // Not RunAsync: it disposes the host, and the exit code below still needs its services.
            await host.StartAsync();
            await host.WaitForShutdownAsync();
        }
        catch (Exception e) when (ConfigurationErrors.TryDescribe(e, out var message))
        {
            // Standard error is lost under the Windows service manager: the log file is all its operator has.
            if (WindowsServiceHelpers.IsWindowsService())
            {
                Log.ConfigurationError(logger, message);
            }

            throw;
        }
        catch (DatabaseStartupException e)
        {
            Log.Fatal(logger, e.Message, null);
            throw;
        }
        catch (Exception e)
        {
            Log.Fatal(logger, e.Message, e);
            return ExitCodes.Fatal;
        }

        // An exception escaping a BackgroundService stops the host "cleanly"; the service manager must see a failure.
        var failed = host.Services.GetServices<IHostedService>().OfType<BackgroundService>().Any(s => s.ExecuteTask is { IsFaulted: true });
        return failed ? ExitCodes.Fatal : ExitCodes.Ok;
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Critical, Message = "Configuration error: {Message}")]
        public static partial void ConfigurationError(ILogger logger, string message);

        [LoggerMessage(Level = LogLevel.Critical, Message = "Fatal: {Message}. The Worker exits with a failure code so the service manager restarts it")]
        public static partial void Fatal(ILogger logger, string message, Exception? exception);
    }
}
