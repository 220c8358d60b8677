using System.CommandLine;
using System.ServiceProcess;
using KrxSignal.Worker.Configuration;
using KrxSignal.Worker.Hosting;
using KrxSignal.Worker.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.WindowsServices;
using Microsoft.Extensions.Logging;

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
        using var host = WorkerHost.CreateBuilder(settings with { WritesLogFiles = true }).Build();
        var logger = host.Services.GetRequiredService<ILoggerFactory>().CreateLogger("KrxSignal.Worker");
        try
        {
            // Start-up (options, schema, calendar) is the first hosted service: WorkerStartup.
            // Not RunAsync: it disposes the host, and the exit code below still needs its services.
            var lifetime = host.Services.GetRequiredService<IHostApplicationLifetime>();
            try
            {
                await host.StartAsync();
            }
            catch (OperationCanceledException) when (lifetime.ApplicationStopping.IsCancellationRequested)
            {
                // READY comes before the scheduler and heartbeat start: a stop (SIGTERM) can arrive while they still
                // are, and cancels their start. That is a requested stop, not a failed start.
                Log.StoppedWhileStarting(logger);
            }

            await WhenCancelledAsync(lifetime.ApplicationStopping);

            // Decided before the host stops: under the Windows SCM, stopping reports the exit code to it.
            if (FailedService(host) is { } failed)
            {
                var name = failed.GetType().Name;
                var reason = failed.ExecuteTask!.Exception?.GetBaseException().Message ?? "";
                Log.BackgroundServiceFailed(logger, name, reason);
                ReportFailureToWindowsServiceManager(host);
                await host.StopAsync(CancellationToken.None);
                return ExitCodes.Fatal;
            }

            await host.StopAsync(CancellationToken.None);
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

        // A service that failed while the host was stopping still makes the stop a failure.
        return FailedService(host) is null ? ExitCodes.Ok : ExitCodes.Fatal;
    }

    /// <summary>An exception escaping a BackgroundService stops the host "cleanly"; the service manager must see a failure.</summary>
    private static BackgroundService? FailedService(IHost host) =>
        host.Services.GetServices<IHostedService>().OfType<BackgroundService>().FirstOrDefault(s => s.ExecuteTask is { IsFaulted: true });

    /// <summary>
    /// The SCM's recovery actions (with failureflag 1) act on a service that stops with a non-zero exit code;
    /// the host's Windows lifetime reports ServiceBase.ExitCode when it stops, so set it first.
    /// </summary>
    private static void ReportFailureToWindowsServiceManager(IHost host)
    {
        if (OperatingSystem.IsWindows() && host.Services.GetService<IHostLifetime>() is ServiceBase service)
        {
            service.ExitCode = ExitCodes.Fatal;
        }
    }

    private static Task WhenCancelledAsync(CancellationToken token)
    {
        var stopping = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        token.Register(() => stopping.TrySetResult());
        return stopping.Task;
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Critical, Message = "Fatal: {Service} failed: {Message}. The Worker exits with code 70 so the service manager restarts it")]
        public static partial void BackgroundServiceFailed(ILogger logger, string service, string message);

        [LoggerMessage(Level = LogLevel.Information, Message = "Stop requested while the services after start-up were still starting: stopping cleanly")]
        public static partial void StoppedWhileStarting(ILogger logger);

        [LoggerMessage(Level = LogLevel.Critical, Message = "Configuration error: {Message}")]
        public static partial void ConfigurationError(ILogger logger, string message);

        [LoggerMessage(Level = LogLevel.Critical, Message = "Fatal: {Message}. The Worker exits with a failure code so the service manager restarts it")]
        public static partial void Fatal(ILogger logger, string message, Exception? exception);
    }
}
