using KrxSignal.Worker.Health;
using KrxSignal.Worker.Storage;
using KrxSignal.Worker.StockApi;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace KrxSignal.Worker.Hosting;

/// <summary>The first lines an operator reads: what started, and where its files are.</summary>
internal sealed partial class StartupReport(
    Database database,
    HeartbeatWriter heartbeat,
    IOptions<LogsOptions> logs,
    IOptions<StockApiOptions> stockApi,
    AppPaths paths,
    TimeProvider time,
    ILogger<StartupReport> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        var logDirectory = paths.Resolve(logs.Value.Directory);
        Log.Started(logger, AppInfo.Version, Environment.ProcessId, paths.BaseDirectory, database.Location, heartbeat.FilePath, logDirectory);
        if (time is ShiftedTimeProvider shifted)
        {
            Log.ClockShifted(logger, ClockSetting.Key, time.GetUtcNow(), shifted.Shift.TotalHours);
        }

        if (!stockApi.Value.PollingEnabled)
        {
            Log.PollingOff(logger);
        }

        // The first heartbeat was written before the scheduler started; this one shows the window and the next poll.
        heartbeat.RequestWrite();
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        Log.Stopping(logger);
        return Task.CompletedTask;
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Information, Message = "KRX Signal Worker {Version} started (pid {Pid}) in {BaseDirectory}; database {Database}, heartbeat {Heartbeat}, logs {Logs}")]
        public static partial void Started(ILogger logger, string version, int pid, string baseDirectory, string database, string heartbeat, string logs);

        [LoggerMessage(Level = LogLevel.Warning, Message = "Polling is off: StockApi:BaseUrl is not set. Set it (environment variable StockApi__BaseUrl) and restart the service")]
        public static partial void PollingOff(ILogger logger);

        [LoggerMessage(Level = LogLevel.Warning, Message = "{Key} is set: this process's clock reads {Now:o}, {ShiftHours:0.##} h from the real time. Unset it for production")]
        public static partial void ClockShifted(ILogger logger, string key, DateTimeOffset now, double shiftHours);

        [LoggerMessage(Level = LogLevel.Information, Message = "Stopping: finishing running jobs")]
        public static partial void Stopping(ILogger logger);
    }
}
