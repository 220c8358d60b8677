using KrxSignal.Worker.Calendar;
using KrxSignal.Worker.Storage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace KrxSignal.Worker.Hosting;

/// <summary>
/// The start-up every pipeline command shares, in one place: options validated (a bad value is exit code 78), the
/// database migrated and checked, the market calendar loaded (a malformed file is exit code 78 too). The daemon runs
/// it as its first hosted service; `poll-once` and `replay`, which never start the hosted services, call it directly.
/// </summary>
internal sealed class WorkerStartup(IStartupValidator options, DatabaseInitializer database, MarketCalendarSource calendars) : IHostedService
{
    public async Task<MarketCalendar> PrepareAsync(CancellationToken cancellationToken)
    {
        options.Validate();
        await database.InitializeAsync(cancellationToken);
        return await calendars.LoadAsync(cancellationToken);
    }

    Task IHostedService.StartAsync(CancellationToken cancellationToken) => PrepareAsync(cancellationToken);

    Task IHostedService.StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
