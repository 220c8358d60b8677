using System.Data.Common;
using System.Diagnostics;
using System.Globalization;
using KrxSignal.Worker.Calendar;
using KrxSignal.Worker.Hosting;
using KrxSignal.Worker.Notify;
using KrxSignal.Worker.Notify.Delivery;
using KrxSignal.Worker.Pipeline;
using KrxSignal.Worker.Predictions.OpenAi;
using KrxSignal.Worker.Scheduling;
using KrxSignal.Worker.Signals;
using KrxSignal.Worker.StockApi;
using KrxSignal.Worker.Storage;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace KrxSignal.Worker.Replay;

/// <summary>
/// Replays recorded trading days through the daemon's own composition: the same stages, caches,
/// resilience pipelines, calendar and triggers, on a <see cref="VirtualClock"/> that jumps from one
/// fire time to the next, with the upstream answered from the recording; a file of several days is replayed
/// one market day after another.
/// </summary>
internal static class ReplayRunner
{
    /// <param name="intoConfiguredDatabase">
    /// Replay into the configured database (a PostgreSQL one: `--allow-shared`) instead of a replay database of its own.
    /// </param>
    public static async Task<ReplayReport> RunAsync(
        WorkerHostSettings settings, string file, string? databasePath, bool deliver, IProgress<ReplayProgress>? progress, CancellationToken cancellationToken,
        bool intoConfiguredDatabase = false)
    {
        var wall = Stopwatch.StartNew();

        // The file is read one day ahead of the replay, so a recording of many days is never held whole.
        await using var days = ReplayFile.ReadDaysAsync(file, cancellationToken).GetAsyncEnumerator(cancellationToken);
        var first = await NextDayAsync(days, file) ?? throw new ReplayException($"{file} holds no recordings.");
        var database = Path.GetFullPath(databasePath ?? Path.Combine(Path.GetTempPath(), $"krx-replay-{first.Day:yyyyMMdd}-{Guid.NewGuid():N}.db"));
        var clock = new VirtualClock(Kst.StartOf(first.Day));
        var tape = new ReplayTape([]);
        var liveRequests = new InFlightGate();

        ReplayPhases.Mark("start");
        var starting = ReplayPhases.Start();
        using var host = Build(settings, intoConfiguredDatabase ? null : database, deliver, clock, tape, liveRequests);
        ReplayPhases.Mark("host built");
        if (intoConfiguredDatabase)
        {
            database = host.Services.GetRequiredService<Database>().Location;
        }

        MarketCalendar calendar;
        try
        {
            calendar = await host.Services.GetRequiredService<WorkerStartup>().PrepareAsync(cancellationToken);
            ReplayPhases.Stop("host", starting);
            ReplayPhases.Mark("host ready");
        }
        catch (Exception e) when (e is DbException or DatabaseStartupException or IOException or UnauthorizedAccessException)
        {
            throw new ReplayException($"the database {database} cannot be used: {e.Message.Split('\n')[0].TrimEnd('.')}. Pass --db a file in a folder you can write, or leave it out for a temporary one", e);
        }

        var loop = new ReplayDayLoop(
            calendar, host.Services.GetRequiredService<PipelineRunner>(), host.Services.GetRequiredService<DeliveryService>(),
            host.Services.GetRequiredService<PipelineWake>(), clock, tape, liveRequests);
        var summary = new ReplaySummary(host.Services.GetRequiredService<Database>());
        var before = await summary.TotalsAsync(cancellationToken);
        var replayed = new List<ReplayDayReport>();
        var skipped = new List<DateOnly>();
        for (var day = first; day is not null; day = await NextDayAsync(days, file))
        {
            // One market day after another on the same clock, caches and database, as the daemon lives through them.
            var dayWall = Stopwatch.StartNew();
            tape.Add(day.Records);
            if (await loop.RunAsync(day.Day, replayed.Count + 1, progress, cancellationToken) is not { } tally)
            {
                skipped.Add(day.Day);
                continue;
            }

            var after = await summary.TotalsAsync(cancellationToken);
            ReplayPhases.DayDone(day.Day, dayWall.Elapsed, clock.TimerCount);
            replayed.Add(new ReplayDayReport(tally, after - before, dayWall.Elapsed));
            before = after;
        }

        if (replayed.Count == 0)
        {
            var which = string.Join(", ", skipped.Select(d => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)));
            throw new ReplayException($"{which} {(skipped.Count == 1 ? "is not a trading day" : "are not trading days")} in {host.Services.GetRequiredService<MarketCalendarSource>().FilePath}: the daemon would not have polled, so there is nothing to replay.");
        }

        ReplayPhases.Mark("replayed");
        ReplayPhases.Print();
        return await summary.ReportAsync(database, replayed, skipped, tape, deliver, wall.Elapsed, cancellationToken);
    }

    private static async Task<ReplayDayRecords?> NextDayAsync(IAsyncEnumerator<ReplayDayRecords> days, string file)
    {
        try
        {
            return await days.MoveNextAsync() ? days.Current : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException)
        {
            throw new ReplayException(e is InvalidDataException ? e.Message : $"Cannot read {file}: {e.Message}", e);
        }
    }

    /// <param name="database">The replay's own SQLite file; null to keep the configured storage.</param>
    private static IHost Build(WorkerHostSettings settings, string? database, bool deliver, VirtualClock clock, ReplayTape tape, InFlightGate liveRequests)
    {
        var quiet = settings with { ConsoleLogsToStandardError = true, WritesLogFiles = false };
        var builder = WorkerHost.CreateBuilder(quiet);
        var overrides = new Dictionary<string, string?>
        {
            ["Heartbeat:Path"] = database is null ? Path.Combine(Path.GetTempPath(), $"krx-replay-{Guid.NewGuid():N}.heartbeat.json") : Path.ChangeExtension(database, ".heartbeat.json"),
        };
        if (database is not null)
        {
            overrides["Storage:Provider"] = nameof(StorageProvider.Sqlite);
            overrides["Storage:DatabasePath"] = database;
        }

        if (string.IsNullOrWhiteSpace(builder.Configuration["StockApi:BaseUrl"]))
        {
            // Any address will do: every request is answered from the recording.
            overrides["StockApi:BaseUrl"] = "http://stock-api.replay.invalid";
        }

        var anyChannel = !string.IsNullOrWhiteSpace(builder.Configuration["Notify:Webhook:Url"]) || !string.IsNullOrWhiteSpace(builder.Configuration["Notify:Telegram:BotToken"]);
        if (!deliver && !anyChannel)
        {
            // Gives the outbox a channel, so the day's deliveries are recorded in the replay database.
            overrides["Notify:Webhook:Url"] = "http://notify.replay.invalid/hook";
        }

        builder.Configuration.AddInMemoryCollection(overrides);
        if (database is not null)
        {
            // Replay's own file is rebuilt by running the replay again: its commits need not wait for the disk. A day's
            // file is a few MiB, read back from the system's file cache: a page cache in every pooled connection (up to
            // 2 MiB each by default) was about 2 MiB of the replay's peak resident memory for no measurable speed.
            builder.Services.AddSingleton<Database>(new SqliteDatabase(database, durable: false, pageCacheKiB: 128));
        }

        builder.Services.AddSingleton<TimeProvider>(clock);
        builder.Services.AddSingleton(RetryJitter.None); // the same file gives the same retry instants
        builder.Services.AddHttpClient(StockApiServiceCollectionExtensions.HttpClientName)
            .ConfigurePrimaryHttpMessageHandler(() => new RecordedUpstreamHandler(tape, clock));
        foreach (var modelId in ChatClientRegistration.ModelIds(builder.Configuration))
        {
            builder.Services.AddHttpClient(ChatClientRegistration.HttpClientName(modelId)).AddHttpMessageHandler(liveRequests.CreateHandler);
        }

        foreach (var channel in new[] { NotifyHttpClients.Webhook, NotifyHttpClients.Telegram })
        {
            var client = builder.Services.AddHttpClient(channel);
            if (deliver)
            {
                client.AddHttpMessageHandler(liveRequests.CreateHandler);
            }
            else
            {
                client.ConfigurePrimaryHttpMessageHandler(DeliverySink.CreateHandler);
            }
        }

        return builder.Build();
    }
}
