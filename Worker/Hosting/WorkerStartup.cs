using KrxSignal.Worker.Calendar;
using KrxSignal.Worker.Storage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Systemd;
using Microsoft.Extensions.Options;

namespace KrxSignal.Worker.Hosting;

/// <summary>
/// The start-up every pipeline command shares, in one place: options validated (a bad value is exit code 78), the
/// database migrated and checked, the market calendar loaded (a malformed file is exit code 78 too). The daemon runs
/// it as its first hosted service; `poll-once` and `replay`, which never start the hosted services, call it directly.
/// </summary>
/// <remarks>
/// The daemon tells systemd READY=1 as soon as these checks have passed, before the hosted services after it start
/// (heartbeat, watchdog, the scheduler and its triggers): a start refused for a bad setting, a database that cannot be
/// migrated or a malformed calendar never reaches READY. A later failure still stops the daemon with exit code 70,
/// after READY (docs/architecture.md, "Start-up").
/// </remarks>
internal sealed class WorkerStartup(IStartupValidator options, DatabaseInitializer database, MarketCalendarSource calendars, ISystemdNotifier notifier) : IHostedService
{
    public async Task<MarketCalendar> PrepareAsync(CancellationToken cancellationToken)
    {
        options.Validate();

        // The calendar file is read and parsed on another thread while the database is migrated and checked: neither
        // needs the other. A database that cannot be used is still the error reported when both fail.
        var calendar = Task.Run(() => calendars.LoadAsync(cancellationToken), cancellationToken);
        await database.InitializeAsync(cancellationToken);
        return await calendar;
    }

    async Task IHostedService.StartAsync(CancellationToken cancellationToken)
    {
        await PrepareAsync(cancellationToken);
        notifier.Notify(ServiceState.Ready);
    }

    Task IHostedService.StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
