using System.CommandLine;
using System.Globalization;
using System.Runtime.InteropServices;
using KrxSignal.Worker.Hosting;
using KrxSignal.Worker.Replay;
using KrxSignal.Worker.Signals;
using KrxSignal.Worker.Storage;
using Spectre.Console;

namespace KrxSignal.Worker.Cli;

/// <summary>
/// `Worker replay FILE [--db PATH | --allow-shared] [--deliver]`: the whole pipeline over a recording, one market day
/// after another, into a replay database of its own, so a test run never writes where the daemon (or a cluster) does
/// unless asked. Exit 0 ok, 2 failed.
/// </summary>
internal static class ReplayCommand
{
    public static Command Create(WorkerHostSettings settings)
    {
        var file = new Argument<FileInfo>("file") { Description = "A replay file (JSON Lines, see README)." };
        var db = new Option<FileInfo>("--db") { Description = "The database to write; a fresh temporary file by default." };
        var deliver = new Option<bool>("--deliver") { Description = "Send notifications to the configured webhook and Telegram for real (by default they are only recorded in the replay database)." };
        var shared = new Option<bool>("--allow-shared")
        {
            Description = "Replay into the configured database (the daemon's SQLite file, or a PostgreSQL database a cluster shares) instead of a replay database of its own.",
        };
        var command = new Command("replay", "Run the whole pipeline over a recording of one or more days on a virtual clock.") { file, db, deliver, shared };
        command.SetAction(async (parsed, cancellationToken) =>
        {
            ReplayPhases.Mark("command");
            var path = parsed.GetValue(file)!.FullName;
            if (parsed.GetValue(shared) && parsed.GetValue(db) is not null)
            {
                await Console.Error.WriteLineAsync("--db and --allow-shared name two different databases: give one.");
                return ExitCodes.Usage;
            }

            // No hosted service handles SIGTERM or Ctrl+C here: stop between steps and say so, as a shell reports
            // a command the signal ended (128 + its number).
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var interruptedBy = "";
            void OnSignal(PosixSignalContext signal)
            {
                signal.Cancel = true;
                Interlocked.CompareExchange(ref interruptedBy, signal.Signal == PosixSignal.SIGINT ? "SIGINT" : "SIGTERM", "");
                stop.Cancel();
            }

            using var onTerm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
            using var onInt = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
            try
            {
                var report = await WithProgressAsync(progress => ReplayRunner.RunAsync(
                    settings, path, parsed.GetValue(db)?.FullName, parsed.GetValue(deliver), progress, stop.Token, intoConfiguredDatabase: parsed.GetValue(shared)));
                // The replay's host and caches are garbage now: give their memory back before the summary's table is
                // rendered, so rendering it does not raise the peak (about 2 MiB of the sample day's).
                GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
                Print(report);
                ReplayPhases.Mark("summary printed");
                return ExitCodes.Ok;
            }
            catch (ReplayException e)
            {
                await Console.Error.WriteLineAsync($"Replay failed: {e.Message}");
                return ExitCodes.Failed;
            }
            catch (OperationCanceledException) when (interruptedBy.Length > 0)
            {
                await Console.Error.WriteLineAsync($"Replay interrupted by {interruptedBy}: the replay database holds the day up to where it stopped; run the replay again for the whole day.");
                return 128 + (interruptedBy == "SIGINT" ? 2 : 15);
            }
        });
        return command;
    }

    private static async Task<ReplayReport> WithProgressAsync(Func<IProgress<ReplayProgress>, Task<ReplayReport>> run)
    {
        // Progress goes to stderr, so stdout carries only the summary.
        if (Console.IsErrorRedirected)
        {
            var last = (Day: 0, Decile: -1);
            return await run(new Progress<ReplayProgress>(p =>
            {
                var decile = p.Done * 10 / p.Total;
                if ((p.DayNumber, decile) != last)
                {
                    last = (p.DayNumber, decile);
                    Console.Error.WriteLine($"replay: {decile * 10}% ({p.Done}/{p.Total} polls of {p.Day:yyyy-MM-dd}, day {p.DayNumber})");
                }
            }));
        }

        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
        ReplayReport? report = null;
        await console.Progress().AutoClear(true).StartAsync(async context =>
        {
            ProgressTask? task = null;
            report = await run(new Progress<ReplayProgress>(p =>
            {
                if (task is null || task.Description != Describe(p))
                {
                    task?.StopTask();
                    task = context.AddTask(Describe(p));
                }

                task.MaxValue = p.Total;
                task.Value = p.Done;
            }));
        });
        return report!;

        static string Describe(ReplayProgress p) => $"Replaying {p.Day:yyyy-MM-dd} (day {p.DayNumber})";
    }

    private static void Print(ReplayReport report)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Out) });
        if (Console.IsOutputRedirected)
        {
            console.Profile.Width = 120;
        }

        var title = report.Days.Count == 1
            ? $"Replay of {report.Day:yyyy-MM-dd}"
            : $"Replay of {report.Day:yyyy-MM-dd} to {report.Days[^1].Day:yyyy-MM-dd} ({report.Days.Count} trading days)";
        var table = new Table().Title(title).AddColumn("what").AddColumn("count").AddColumn("detail");
        string Join(IReadOnlyDictionary<string, int> counts) => string.Join(", ", counts.Select(c => $"{c.Key} {c.Value}"));
        void Row(string what, int count, string detail = "") => table.AddRow(Markup.Escape(what), count.ToString(CultureInfo.InvariantCulture), Markup.Escape(detail));

        foreach (var window in new[] { "pre-market", "regular", "post-market" })
        {
            Row($"polls, {window}", report.PollsPerWindow.GetValueOrDefault(window));
        }

        Row("poll cycles by outcome", report.Polls, Join(report.PollOutcomes));
        Row("pipeline runs between polls", report.PipelineRuns, "the pipeline trigger: predict, signal, notify (every minute in a window or with work pending)");
        Row("upstream recordings served", report.RecordingsServed, $"{report.RecordingsReused} answered again from an earlier recording, {report.RequestsUnrecorded} with nothing recorded");
        Row("upstream failures", report.UpstreamFailures, "fetches that failed after retries");
        Row("stale serves", report.StaleServes, "the last good value served instead");
        Row("articles ingested", report.ArticlesIngested, $"{report.ArticlesWithTicker} with a ticker");
        foreach (var (model, statuses) in report.Predictions)
        {
            Row($"predictions, {model}", statuses.Values.Sum(), Join(statuses));
        }

        Row("signals", report.Signals.Values.Sum(), $"buy {report.Signals.GetValueOrDefault("buy")}, sell {report.Signals.GetValueOrDefault("sell")}");
        Row("signals by confidence", report.ConfidenceBands.Sum(b => b.Signals), string.Join(", ", report.ConfidenceBands.Where(b => b.Signals > 0 || b.From >= 0.4).Select(b => $"{b.Label}: {b.Signals}")));
        Row("dedup suppressions", report.DedupSuppressions, "repeats inside the dedup window");
        var delivered = report.Deliveries.Sum(d => d.Value.GetValueOrDefault("sent"));
        Row("notifications", delivered, report.RealDelivery
            ? string.Join("; ", report.Deliveries.Select(d => $"{d.Key}: {Join(d.Value)}"))
            : "recorded in the replay database, not sent (--deliver sends them)");
        if (report.SkippedDays.Count > 0)
        {
            Row("days not replayed", report.SkippedDays.Count, "no polls on the calendar: " + string.Join(", ", report.SkippedDays.Select(d => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture))));
        }

        console.Write(table);
        if (report.Days.Count > 1)
        {
            console.Write(DaysTable(report.Days));
        }

        console.WriteLine($"Database: {report.DatabasePath}");
        console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Wall time: {report.WallTime.TotalSeconds:0.0} s ({report.Polls / Math.Max(report.WallTime.TotalSeconds, 0.001):0} polled instants a second)"));
    }

    /// <summary>One row per replayed day, so a multi-day replay shows each day and not only the totals.</summary>
    private static Table DaysTable(IReadOnlyList<ReplayDayReport> days)
    {
        var table = new Table().Title("Per day").AddColumn("day").AddColumn("polls").AddColumn("pipeline runs").AddColumn("articles")
            .AddColumn("predictions").AddColumn("signals").AddColumn("wall s");
        foreach (var day in days)
        {
            table.AddRow(
                day.Day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                day.Polls.ToString(CultureInfo.InvariantCulture),
                day.PipelineRuns.ToString(CultureInfo.InvariantCulture),
                day.Added.Articles.ToString(CultureInfo.InvariantCulture),
                day.Added.Predictions.ToString(CultureInfo.InvariantCulture),
                day.Added.Signals.ToString(CultureInfo.InvariantCulture),
                day.WallTime.TotalSeconds.ToString("0.00", CultureInfo.InvariantCulture));
        }

        return table;
    }
}
