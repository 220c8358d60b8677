using System.Data.Common;
using System.Diagnostics;
using Dapper;
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
/// Replays a recorded trading day through the daemon's own composition: the same stages, caches,
/// resilience pipelines, calendar and triggers, on a <see cref="VirtualClock"/> that jumps from one
/// fire time to the next, with the upstream answered from the recording.
/// </summary>
internal static class ReplayRunner
{
    /// <param name="intoConfiguredDatabase">
    /// Replay into the configured database (a PostgreSQL one: `--allow-shared`) instead of a replay database of its own.
    /// </param>
    public static async Task<ReplayReport> RunAsync(
        WorkerHostSettings settings, string file, string? databasePath, bool deliver, IProgress<(int Done, int Total)>? progress, CancellationToken cancellationToken,
        bool intoConfiguredDatabase = false)
    {
        var wall = Stopwatch.StartNew();
        IReadOnlyList<ReplayRecord> records;
        try
        {
            records = await ReplayFile.ReadAsync(file, cancellationToken);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException)
        {
            throw new ReplayException(e is InvalidDataException ? e.Message : $"Cannot read {file}: {e.Message}", e);
        }

        if (records.Count == 0)
        {
            throw new ReplayException($"{file} holds no recordings.");
        }

        var day = Kst.DateOf(records[0].Time);
        var dayStart = Kst.StartOf(day);
        var database = Path.GetFullPath(databasePath ?? Path.Combine(Path.GetTempPath(), $"krx-replay-{day:yyyyMMdd}-{Guid.NewGuid():N}.db"));
        var clock = new VirtualClock(dayStart);
        var tape = new ReplayTape(records);
        var liveRequests = new InFlightGate();

        using var host = Build(settings, intoConfiguredDatabase ? null : database, deliver, clock, tape, liveRequests);
        if (intoConfiguredDatabase)
        {
            database = host.Services.GetRequiredService<Database>().Location;
        }

        MarketCalendar calendar;
        try
        {
            calendar = await host.Services.GetRequiredService<WorkerStartup>().PrepareAsync(cancellationToken);
        }
        catch (Exception e) when (e is DbException or DatabaseStartupException or IOException or UnauthorizedAccessException)
        {
            throw new ReplayException($"the database {database} cannot be used: {e.Message.Split('\n')[0].TrimEnd('.')}. Pass --db a file in a folder you can write, or leave it out for a temporary one", e);
        }

        var schedule = MarketSchedule.Create(calendar, clock, dayStart, PollJob.Key);
        var dayEnd = dayStart.AddDays(1);
        var events = FireTimes(schedule, clock, dayStart, dayEnd);
        var polls = events.Where(e => e.Window is not null).ToList();
        if (polls.Count == 0)
        {
            throw new ReplayException($"{day:yyyy-MM-dd} is not a trading day in {host.Services.GetRequiredService<MarketCalendarSource>().FilePath}: the daemon would not have polled, so there is nothing to replay.");
        }

        // As in the daemon: a poll fire time runs the poll job, whose run triggers the downstream stages at once.
        var pipeline = host.Services.GetRequiredService<PipelineRunner>();
        var pollOutcomes = new Dictionary<string, int>();
        var suppressions = 0;
        for (var i = 0; i < events.Count; i++)
        {
            var (at, window) = events[i];
            clock.AdvanceTo(at);
            if (window is not null)
            {
                var slot = schedule.PollAt(at);
                tape.BeginCycle(at, slot.NextPollAt is { } next && next < dayEnd ? next : dayEnd);
                var poll = await ClockDriver.DriveAsync(pipeline.RunPollCycleAsync(slot.Context(), cancellationToken), clock, liveRequests);
                var key = poll.Result.Outcome.ToString().ToLowerInvariant();
                pollOutcomes[key] = pollOutcomes.GetValueOrDefault(key) + 1;
            }

            var downstream = await ClockDriver.DriveAsync(pipeline.RunDownstreamAsync(new StageContext(), cancellationToken), clock, liveRequests);

            // The daemon's delivery job sends what the step queued; here it follows each step on the same clock.
            await ClockDriver.DriveAsync(host.Services.GetRequiredService<DeliveryService>().RunAsync(deliverNow: false, cancellationToken), clock, liveRequests);
            foreach (var run in downstream)
            {
                suppressions += run.Result.Counts?.GetValueOrDefault("suppressed") ?? 0;
            }

            progress?.Report((i + 1, events.Count));
        }

        return await ReportAsync(host.Services, day, database, polls, events.Count - polls.Count, pollOutcomes, suppressions, tape, deliver, wall.Elapsed, cancellationToken);
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

    /// <summary>The poll fire times of the day (with their window) and the pipeline job's minute fire times, merged in time order.</summary>
    private static List<(DateTimeOffset Time, string? Window)> FireTimes(MarketSchedule schedule, VirtualClock clock, DateTimeOffset dayStart, DateTimeOffset dayEnd)
    {
        var polls = schedule.FireTimes(dayStart, dayEnd);
        var pollTimes = polls.Select(p => p.Time).ToHashSet();
        var events = polls.Select(p => (p.Time, (string?)p.Window)).ToList();

        // A poll already runs the downstream stages right after itself; the minute trigger adds the minutes between polls.
        var minute = PipelineJob.CreateTrigger(clock, schedule.Calendar.TimeZone);
        for (var at = minute.GetFireTimeAfter(dayStart.AddTicks(-1)); at is { } t && t < dayEnd; at = minute.GetFireTimeAfter(t))
        {
            if (!pollTimes.Contains(t))
            {
                events.Add((t, null));
            }
        }

        return events.OrderBy(e => e.Time).ToList();
    }

    private static async Task<ReplayReport> ReportAsync(
        IServiceProvider services, DateOnly day, string database, List<(DateTimeOffset Time, string? Window)> polls, int pipelineRuns,
        Dictionary<string, int> pollOutcomes, int suppressions, ReplayTape tape, bool deliver, TimeSpan wall, CancellationToken cancellationToken)
    {
        await using var connection = await services.GetRequiredService<Database>().OpenAsync(cancellationToken);
        async Task<int> CountAsync(string sql) => await connection.ExecuteScalarAsync<int>(new CommandDefinition(sql, cancellationToken: cancellationToken));
        async Task<Dictionary<string, IReadOnlyDictionary<string, int>>> GroupAsync(string sql) =>
            (await connection.QueryAsync<StatusCountRow>(new CommandDefinition(sql, cancellationToken: cancellationToken)))
            .GroupBy(r => r.Key)
            .ToDictionary(g => g.Key, g => (IReadOnlyDictionary<string, int>)g.ToDictionary(r => r.Status, r => (int)r.Count));

        return new ReplayReport
        {
            Day = day,
            DatabasePath = database,
            PollsPerWindow = polls.GroupBy(p => p.Window!).ToDictionary(g => g.Key, g => g.Count()),
            PipelineRuns = pipelineRuns,
            PollOutcomes = pollOutcomes,
            RecordingsServed = tape.Served,
            RecordingsReused = tape.Reused,
            RequestsUnrecorded = tape.Missing,
            UpstreamFailures = await CountAsync("SELECT COUNT(*) FROM snapshots WHERE error IS NOT NULL"),
            StaleServes = await CountAsync("SELECT COUNT(*) FROM snapshots WHERE served_stale = 1"),
            ArticlesIngested = await CountAsync("SELECT COUNT(*) FROM news_articles"),
            ArticlesWithTicker = await CountAsync("SELECT COUNT(*) FROM news_articles WHERE ticker IS NOT NULL"),
            Predictions = await GroupAsync("SELECT model_id AS Key, status AS Status, COUNT(*) AS Count FROM predictions GROUP BY model_id, status ORDER BY model_id"),
            Signals = (await connection.QueryAsync<ActionCountRow>(new CommandDefinition("SELECT action AS Action, COUNT(*) AS Count FROM signals GROUP BY action", cancellationToken: cancellationToken)))
                .ToDictionary(r => r.Action, r => (int)r.Count),
            DedupSuppressions = suppressions,
            Deliveries = await GroupAsync("SELECT channel AS Key, status AS Status, COUNT(*) AS Count FROM deliveries GROUP BY channel, status ORDER BY channel"),
            RealDelivery = deliver,
            WallTime = wall,
            ConfidenceBands = await new SignalHistory(services.GetRequiredService<Database>()).BandsAsync(cancellationToken),
        };
    }

    private sealed record StatusCountRow(string Key, string Status, long Count);

    private sealed record ActionCountRow(string Action, long Count);
}
