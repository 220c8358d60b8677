using System.Threading.Channels;
using KrxSignal.Worker.Calendar;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace KrxSignal.Worker.Scheduling;

/// <summary>
/// Watches holidays.json and reloads the calendar once the file has been quiet for <see cref="Debounce"/>: an editor's
/// save is several events (truncate, write, rename), and only the finished file is worth reading.
/// </summary>
internal sealed partial class CalendarFileWatcher(
    MarketCalendarSource calendars,
    MarketCalendarReloader reloader,
    TimeProvider time,
    ILogger<CalendarFileWatcher> logger) : BackgroundService
{
    public static readonly TimeSpan Debounce = TimeSpan.FromSeconds(2);

    private readonly Channel<bool> _changes = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private FileSystemWatcher? _watcher;

    /// <summary>Raised when a change has been seen and the quiet period has begun (on the injected clock).</summary>
    public event Action? DebounceStarted;

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        var folder = Path.GetDirectoryName(calendars.FilePath);
        if (string.IsNullOrEmpty(folder) || !Directory.Exists(folder))
        {
            return base.StartAsync(cancellationToken);
        }

        try
        {
            _watcher = new FileSystemWatcher(folder, Path.GetFileName(calendars.FilePath))
            {
                NotifyFilter = NotifyFilters.LastWrite | NotifyFilters.FileName | NotifyFilters.Size | NotifyFilters.CreationTime,
            };
            _watcher.Changed += (_, _) => _changes.Writer.TryWrite(true);
            _watcher.Created += (_, _) => _changes.Writer.TryWrite(true);
            _watcher.Renamed += (_, _) => _changes.Writer.TryWrite(true);
            _watcher.EnableRaisingEvents = true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or PlatformNotSupportedException or ArgumentException)
        {
            // Out of inotify watches, say: SIGHUP still reloads.
            Log.CannotWatch(logger, calendars.FilePath, e.Message);
        }

        return base.StartAsync(cancellationToken);
    }

    public override void Dispose()
    {
        _watcher?.Dispose();
        base.Dispose();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            while (await _changes.Reader.WaitToReadAsync(stoppingToken))
            {
                _changes.Reader.TryRead(out _);
                do
                {
                    var quiet = Task.Delay(Debounce, time, stoppingToken);
                    DebounceStarted?.Invoke();
                    await quiet;
                }
                while (_changes.Reader.TryRead(out _));

                await reloader.ReloadAsync("holidays.json changed", stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Warning, Message = "Cannot watch {Path} for changes ({Problem}); send SIGHUP (systemctl reload) after editing it")]
        public static partial void CannotWatch(ILogger logger, string path, string problem);
    }
}
