using NLog;
using NLog.Config;
using NLog.Targets;

namespace KrxSignal.Worker.Hosting;

/// <summary>Loads nlog.config from the application folder and points its file target at the configured log folder.</summary>
internal static class NLogSetup
{
    public static LogFactory CreateFactory(AppPaths paths, string logDirectory, bool consoleToStandardError)
    {
        var factory = new LogFactory();
        var configPath = paths.Resolve("nlog.config");
        factory.Configuration = File.Exists(configPath)
            ? new XmlLoggingConfiguration(configPath, factory)
            : ConsoleOnly(factory);

        factory.Configuration.Variables["logDirectory"] = logDirectory;
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

    private static LoggingConfiguration ConsoleOnly(LogFactory factory)
    {
        // Without nlog.config the daemon still says what it does, on the console only.
        var configuration = new LoggingConfiguration(factory);
        var console = new ConsoleTarget("console") { Layout = "${longdate} ${level:uppercase=true} ${logger:shortName=true}: ${message}${onexception:inner= ${exception:format=message}}" };
        configuration.AddRule(NLog.LogLevel.Info, NLog.LogLevel.Fatal, console);
        return configuration;
    }
}
