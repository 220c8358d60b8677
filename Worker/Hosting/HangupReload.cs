using System.Runtime.InteropServices;
using KrxSignal.Worker.Scheduling;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using NLog.Extensions.Logging;

namespace KrxSignal.Worker.Hosting;

/// <summary>
/// SIGHUP (`systemctl reload`, `kill -HUP`) reloads what can change without a restart — nlog.config and
/// holidays.json — and says so in the log. Without this the runtime's default action ends the daemon (exit 129)
/// with no shutdown. Not on Windows, which has no SIGHUP to send a service.
/// </summary>
internal sealed partial class HangupReload(
    IServiceProvider services,
    MarketCalendarReloader calendar,
    AppPaths paths,
    IHostApplicationLifetime lifetime,
    ILogger<HangupReload> logger) : IHostedService, IDisposable
{
    private PosixSignalRegistration? _registration;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (!OperatingSystem.IsWindows())
        {
            _registration = PosixSignalRegistration.Create(PosixSignal.SIGHUP, context =>
            {
                context.Cancel = true; // keep running: a hangup here means "reload", not "terminate"
                _ = Task.Run(() => ReloadAsync(lifetime.ApplicationStopping), CancellationToken.None);
            });
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        Dispose();
        return Task.CompletedTask;
    }

    public void Dispose()
    {
        _registration?.Dispose();
        _registration = null;
    }

    private async Task ReloadAsync(CancellationToken stopping)
    {
        Log.Received(logger);
        ReloadLogConfiguration();
        try
        {
            await calendar.ReloadAsync("SIGHUP", stopping);
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            // Stopping anyway.
        }
    }

    private void ReloadLogConfiguration()
    {
        var provider = services.GetServices<ILoggerProvider>().OfType<NLogLoggerProvider>().FirstOrDefault();
        var configPath = paths.Resolve("nlog.config");
        if (provider?.LogFactory is not { Configuration: { } current } factory || !File.Exists(configPath))
        {
            Log.LogConfigurationSkipped(logger, configPath);
            return;
        }

        try
        {
            var fresh = new NLog.Config.XmlLoggingConfiguration(configPath, factory);

            // What start-up set in code (the log folder, standard error for console output) carries over.
            foreach (var (name, value) in current.Variables.Where(v => !fresh.Variables.ContainsKey(v.Key)))
            {
                fresh.Variables[name] = value;
            }

            if (current.Variables.TryGetValue("logDirectory", out var folder))
            {
                fresh.Variables["logDirectory"] = folder;
            }

            var toStandardError = current.AllTargets.OfType<NLog.Targets.ConsoleTarget>().Any(t => t.StdErr is { IsFixed: true, FixedValue: true })
                || current.AllTargets.OfType<NLog.Targets.ColoredConsoleTarget>().Any(t => t.StdErr is { IsFixed: true, FixedValue: true });
            if (toStandardError)
            {
                foreach (var console in fresh.AllTargets.OfType<NLog.Targets.ConsoleTarget>())
                {
                    console.StdErr = true;
                }

                foreach (var console in fresh.AllTargets.OfType<NLog.Targets.ColoredConsoleTarget>())
                {
                    console.StdErr = true;
                }
            }

            factory.Configuration = fresh;
            factory.ReconfigExistingLoggers();
            Log.LogConfigurationReloaded(logger, configPath);
        }
        catch (Exception e) when (e is NLog.NLogConfigurationException or System.Xml.XmlException or IOException or UnauthorizedAccessException)
        {
            Log.LogConfigurationBroken(logger, configPath, (e.InnerException ?? e).Message.ReplaceLineEndings(" "));
        }
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Information, Message = "SIGHUP received: reloading nlog.config and holidays.json (the daemon keeps running)")]
        public static partial void Received(ILogger logger);

        [LoggerMessage(Level = LogLevel.Information, Message = "Log configuration reloaded from {Path}")]
        public static partial void LogConfigurationReloaded(ILogger logger, string path);

        [LoggerMessage(Level = LogLevel.Information, Message = "Log configuration not reloaded: {Path} is absent or logging is not from NLog")]
        public static partial void LogConfigurationSkipped(ILogger logger, string path);

        [LoggerMessage(Level = LogLevel.Error, Message = "Log configuration not reloaded: {Path}: {Problem}. The configuration loaded before stays in force")]
        public static partial void LogConfigurationBroken(ILogger logger, string path, string problem);
    }
}
