using KrxSignal.Worker.Configuration;
using KrxSignal.Worker.Logging;
using NLog;
using NLog.Config;
using NLog.Targets;
using NLog.Targets.Wrappers;

namespace KrxSignal.Worker.Hosting;

/// <summary>Loads nlog.config from the application folder and points its file target at the configured log folder.</summary>
internal static class NLogSetup
{
    public const string ConsoleLayout =
        "${journal-priority}${kst-date} ${level:uppercase=true:padding=-5} ${logger:shortName=true}: ${escape:${message}}${onexception:inner= | ${escape:${exception:format=type,message}}}";

    /// <summary>
    /// The factory the host's logging asks for when it is first resolved. The daemon (<paramref name="logFiles"/>) reads
    /// nlog.config on another thread from now on, while the host is still being put together: parsing the XML and
    /// setting up its targets is the largest single step of its start, and the host's own work goes on meanwhile on the
    /// other core. A broken nlog.config still throws where it did, when the logging is first resolved.
    /// </summary>
    public static Func<IServiceProvider, LogFactory> Prepare(AppPaths paths, string logDirectory, bool consoleToStandardError, bool logFiles)
    {
        if (!logFiles)
        {
            return _ => CreateFactory(paths, logDirectory, consoleToStandardError, logFiles);
        }

        var loading = Task.Run(() => CreateFactory(paths, logDirectory, consoleToStandardError, logFiles));

        // The host asks for the factory synchronously, so this joins the parse running on the other core: CPU work, with
        // no synchronization context to deadlock on, and a broken file's exception rethrown as it was thrown.
        return _ => loading.GetAwaiter().GetResult();
    }

    /// <param name="logFiles">False for one-shot commands: they log to the console only and never touch the daemon's files.</param>
    /// <param name="journal">Whether console lines carry journald's priority prefix; null: when systemd connected the output to the journal.</param>
    public static LogFactory CreateFactory(AppPaths paths, string logDirectory, bool consoleToStandardError, bool logFiles = true, bool? journal = null)
    {
        var factory = new LogFactory();
        var underJournal = journal ?? JournalPriorityLayoutRenderer.UnderJournal();
        factory.Setup().SetupExtensions(extensions =>
        {
            extensions.RegisterLayoutRenderer<EscapeLayoutRenderer>(EscapeLayoutRenderer.Name);
            extensions.RegisterLayoutRenderer<KstTimestampLayoutRenderer>(KstTimestampLayoutRenderer.Name);
            extensions.RegisterLayoutRenderer(() => new JournalPriorityLayoutRenderer(underJournal), JournalPriorityLayoutRenderer.Name);
        });

        var configPath = paths.Resolve("nlog.config");
        factory.Configuration = Load(factory, configPath);
        factory.Configuration.Variables["logDirectory"] = logDirectory;
        if (!logFiles)
        {
            foreach (var target in factory.Configuration.AllTargets.Where(WritesFiles).ToList())
            {
                factory.Configuration.RemoveTarget(target.Name);
            }
        }

        if (consoleToStandardError)
        {
            foreach (var console in factory.Configuration.AllTargets.OfType<ColoredConsoleTarget>())
            {
                console.StdErr = true;
            }

            foreach (var console in factory.Configuration.AllTargets.OfType<ConsoleTarget>())
            {
                console.StdErr = true;
            }
        }

        factory.ReconfigExistingLoggers();
        return factory;
    }

    private static LoggingConfiguration Load(LogFactory factory, string configPath)
    {
        if (Directory.Exists(configPath))
        {
            throw ConfigurationFileException.Create(configPath, null, "is a folder, not a file");
        }

        if (!File.Exists(configPath))
        {
            return ConsoleOnly(factory);
        }

        try
        {
            return new XmlLoggingConfiguration(configPath, factory);
        }
        catch (Exception e) when (e is NLogConfigurationException or IOException or UnauthorizedAccessException or System.Xml.XmlException)
        {
            throw ConfigurationFileException.FromNLog(configPath, e);
        }
    }

    private static bool WritesFiles(Target target) => target switch
    {
        FileTarget => true,
        WrapperTargetBase wrapper => wrapper.WrappedTarget is { } inner && WritesFiles(inner),
        CompoundTargetBase compound => compound.Targets.Any(WritesFiles),
        _ => false,
    };

    private static LoggingConfiguration ConsoleOnly(LogFactory factory)
    {
        // Without nlog.config the daemon still says what it does, on the console only.
        var configuration = new LoggingConfiguration(factory);
        var console = new ConsoleTarget("console") { Layout = ConsoleLayout };
        configuration.AddRule(NLog.LogLevel.Info, NLog.LogLevel.Fatal, console);
        return configuration;
    }
}
