using KrxSignal.Worker.Hosting;
using Microsoft.Extensions.Options;

namespace KrxSignal.Worker.Calendar;

/// <summary>
/// The calendar the daemon runs on: holidays.json (Calendar:HolidaysFile, resolved against the
/// application folder), read at start and again by <see cref="ReloadAsync"/> (the file changed, or SIGHUP).
/// </summary>
internal sealed class MarketCalendarSource(IOptions<CalendarOptions> options, AppPaths paths) : IDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private MarketCalendar? _calendar;

    public string FilePath { get; } = paths.Resolve(options.Value.HolidaysFile);

    /// <summary>The loaded calendar, or null before <see cref="LoadAsync"/> succeeded.</summary>
    public MarketCalendar? Loaded => Volatile.Read(ref _calendar);

    /// <summary>Throws <see cref="CalendarConfigurationException"/> naming the file, the line and the problem.</summary>
    public async Task<MarketCalendar> LoadAsync(CancellationToken cancellationToken)
    {
        if (Loaded is { } loaded)
        {
            return loaded;
        }

        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (!File.Exists(FilePath))
            {
                throw new CalendarConfigurationException($"The market calendar {FilePath} does not exist: restore holidays.json from the release, or set Calendar:HolidaysFile");
            }

            var calendar = _calendar ?? await HolidayFileParser.LoadAsync(FilePath, cancellationToken);
            Volatile.Write(ref _calendar, calendar);
            return calendar;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Reads the file again; on a problem throws <see cref="CalendarConfigurationException"/> and keeps the calendar it had.</summary>
    public async Task<MarketCalendar> ReloadAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (!File.Exists(FilePath))
            {
                throw new CalendarConfigurationException($"The market calendar {FilePath} does not exist (removed or being replaced)");
            }

            var calendar = await HolidayFileParser.LoadAsync(FilePath, cancellationToken);
            Volatile.Write(ref _calendar, calendar);
            return calendar;
        }
        finally
        {
            _gate.Release();
        }
    }

    public void Dispose() => _gate.Dispose();
}
