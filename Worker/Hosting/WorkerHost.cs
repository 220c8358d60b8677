using KrxSignal.Worker.Calendar;
using KrxSignal.Worker.Configuration;
using KrxSignal.Worker.Health;
using KrxSignal.Worker.Ingest;
using KrxSignal.Worker.Notify;
using KrxSignal.Worker.Pipeline;
using KrxSignal.Worker.Predictions;
using KrxSignal.Worker.Scheduling;
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
internal static class WorkerHost
{
    public static HostApplicationBuilder CreateBuilder(WorkerHostSettings settings)
    {
        PrivateFiles.RestrictUmask(); // before any file (database, heartbeat, log) is created
        var builder = ConfigurationFiles.Load(() => Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
        {
            ContentRootPath = settings.ContentRoot,
            ApplicationName = "Worker",
            Args = [],
            Configuration = WithoutFileWatching(),
        }), settings.ContentRoot);
        if (settings.Overrides is not null)
        {
            builder.Configuration.AddInMemoryCollection(settings.Overrides);
        }

        // Wiring mistakes are caught by HostWiringTests, which builds this host with ValidateOnBuild; the daemon walks
        // the whole graph again only in Development (the generic host's own default): in production that walk loads
        // types for every service, most of which the start itself never touches.
        var development = builder.Environment.IsDevelopment();
        builder.ConfigureContainer(new DefaultServiceProviderFactory(new ServiceProviderOptions { ValidateOnBuild = development, ValidateScopes = development }));

        var paths = new AppPaths(builder.Environment.ContentRootPath);
        builder.Services.AddSingleton(paths);

        // NLog starts before options are validated; the default still comes from LogsOptions alone.
        var logs = builder.Configuration.GetSection(LogsOptions.Section).Get<LogsOptions>() ?? new LogsOptions();
        var logDirectory = paths.Resolve(logs.Directory is { Length: > 0 } folder ? folder : new LogsOptions().Directory);
        builder.Logging.ClearProviders();
        builder.Logging.SetMinimumLevel(LogLevel.Trace); // nlog.config's rules decide what is written
        builder.Logging.AddNLog(
            new NLogProviderOptions { ShutdownOnDispose = true },
            NLogSetup.Prepare(paths, logDirectory, settings.ConsoleLogsToStandardError, settings.WritesLogFiles));

        builder.Services.AddSingleton(ClockSetting.Create(builder.Configuration));
        builder.Services.AddValidatedOptions<LogsOptions>();
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(30));

        builder.Services.AddServiceManager();
        builder.Services.AddHostedService<HangupReload>(); // early, so a SIGHUP during start-up already means "reload"

        // Each feature registers only its own folder. Hosted services start in this order: start-up first (options,
        // schema, calendar: everything later needs them), then the heartbeat and watchdog, then the schedule
        // registrar and Quartz, whose jobs drive the stages registered after them; the report of what started last.
        builder.Services.AddSingleton<WorkerStartup>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<WorkerStartup>());
        builder.Services.AddStorage();
        builder.Services.AddHealth();
        builder.Services.AddMarketCalendar();
        builder.Services.AddMarketScheduling(builder.Configuration);
        builder.Services.AddPipeline();
        builder.Services.AddStockApi();
        builder.Services.AddIngest();
        builder.Services.AddPredictions(builder.Configuration);
        builder.Services.AddSignals();
        builder.Services.AddNotify();
        builder.Services.AddHostedService<StartupReport>();
        builder.Services.AddConfigurationKeyChecks();
        return builder;
    }

    /// <summary>
    /// appsettings.json is read once: options are bound when the daemon starts and a change takes a restart, so the
    /// file watchers the host would set up for a live reload only cost start-up time.
    /// </summary>
    private static ConfigurationManager WithoutFileWatching()
    {
        var configuration = new ConfigurationManager();
        configuration.AddInMemoryCollection([new("hostBuilder:reloadConfigOnChange", "false")]);
        return configuration;
    }
}
