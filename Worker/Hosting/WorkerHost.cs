using KrxSignal.Worker.Calendar;
using KrxSignal.Worker.Configuration;
using KrxSignal.Worker.Health;
using KrxSignal.Worker.Notify;
using KrxSignal.Worker.Pipeline;
using KrxSignal.Worker.Predictions;
using KrxSignal.Worker.Signals;
using KrxSignal.Worker.StockApi;
using KrxSignal.Worker.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using NLog.Extensions.Logging;

namespace KrxSignal.Worker.Hosting;

/// <summary>The composition root shared by every command: one place where the features are wired.</summary>
public static class WorkerHost
{
    public static HostApplicationBuilder CreateBuilder(WorkerHostSettings settings)
    {
        PrivateFiles.RestrictUmask(); // before any file (database, heartbeat, log) is created
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
        {
            ContentRootPath = settings.ContentRoot,
            ApplicationName = "Worker",
            Args = [],
        });
        if (settings.Overrides is not null)
        {
            builder.Configuration.AddInMemoryCollection(settings.Overrides);
        }

        // Wiring mistakes fail at start-up, not at the first job run hours later.
        builder.ConfigureContainer(new DefaultServiceProviderFactory(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true }));

        var paths = new AppPaths(builder.Environment.ContentRootPath);
        builder.Services.AddSingleton(paths);
        builder.Services.AddSingleton(ClockSetting.Create(builder.Configuration));
        builder.Services.AddValidatedOptions<LogsOptions>();
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(30));

        builder.Services.AddServiceManager();
        builder.Services.AddHostedService<HangupReload>(); // early, so a SIGHUP during start-up already means "reload"

        var logDirectory = paths.Resolve(builder.Configuration["Logs:Directory"] is { Length: > 0 } folder ? folder : "logs");
        builder.Logging.ClearProviders();
        builder.Logging.SetMinimumLevel(LogLevel.Trace); // nlog.config's rules decide what is written
        builder.Logging.AddNLog(
            new NLogProviderOptions { ShutdownOnDispose = true },
            _ => NLogSetup.CreateFactory(paths, logDirectory, settings.ConsoleLogsToStandardError));

        // Storage first: hosted services start in registration order, and everything needs the schema.
        builder.Services.AddStorage();
        builder.Services.AddHealth();
        builder.Services.AddMarketCalendar();

        // The pipeline's stages run in the order these register them: poll, predict, signal, notify.
        builder.Services.AddSingleton<PipelineRunner>();
        builder.Services.AddStockApi();
        builder.Services.AddPredictions();
        builder.Services.AddSignals();
        builder.Services.AddNotify();
        builder.Services.AddHostedService<StartupReport>();
        return builder;
    }
}
