using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using KrxSignal.Worker.Calendar;
using KrxSignal.Worker.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace KrxSignal.Worker.Benchmarks;

/// <summary>
/// Cost against the size of the work: replay of 1, 5 and 20 trading days (the sample day shifted onto the
/// following normal trading days of the calendar) and `schedule` over 1, 10 and 100 years (csv, discarded),
/// each with wall time and peak resident memory (VmHWM), medians of several runs, and the cost per unit.
/// </summary>
public static partial class ScaleBenchmark
{
    private const int Runs = 3;
    private const int PollsPerNormalDay = 468;

    public static async Task RunAsync()
    {
        var scratch = WorkerBinary.NewScratch("scale");
        var days = await NormalTradingDaysFromAsync(new DateOnly(2026, 11, 20), 20);
        var sample = await File.ReadAllLinesAsync(WorkerBinary.SampleDay);
        Console.WriteLine("replay of N trading days (the sample day shifted onto the next normal trading days)");
        double? perDayAtOne = null;
        foreach (var count in new[] { 1, 5, 20 })
        {
            var file = Path.Combine(scratch, $"days-{count}.jsonl");
            await File.WriteAllLinesAsync(file, days.Take(count).SelectMany(day => Shift(sample, day)));
            var runs = new List<(double Wall, double Peak, int Polls)>();
            for (var run = 0; run < (count == 1 ? Runs : 1); run++)
            {
                var database = Path.Combine(scratch, $"replay-{count}-{run}.db");
                var (wall, peak, stdout) = await MeasureAsync(["replay", file, "--db", database], scratch);
                var polls = PollCycles().Match(stdout) is { Success: true } m ? int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) : 0;
                runs.Add((wall, peak, polls));
            }

            var median = WorkerBinary.Median(runs.Select(r => r.Wall));
            var replayedDays = runs[0].Polls / (double)PollsPerNormalDay;
            var perDay = median / Math.Max(replayedDays, 1e-9);
            perDayAtOne ??= perDay;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  {count,2} days  median {median,6:0.00} s ({WorkerBinary.List(runs.Select(r => r.Wall), "0.00")})  peak {WorkerBinary.Median(runs.Select(r => r.Peak)),4:0} MiB  polls replayed {runs[0].Polls} of {count * PollsPerNormalDay}  {perDay:0.00} s per replayed day  ratio to 1 day {perDay / perDayAtOne:0.00}"));
            if (runs[0].Polls < count * PollsPerNormalDay)
            {
                Console.WriteLine($"           the replay stopped after the first day of the file: only {replayedDays:0.#} of {count} days were replayed");
            }
        }

        await DayAfterDayAsync(days, sample, scratch);

        Console.WriteLine("schedule --format csv over N years (to a discarded stdout)");
        double? perYearAtOne = null;
        foreach (var years in new[] { 1, 10, 100 })
        {
            var runs = new List<(double Wall, double Peak)>();
            for (var run = 0; run < Runs; run++)
            {
                var (wall, peak, _) = await MeasureAsync(["schedule", "--from", "2026-01-01", "--to", $"{2025 + years}-12-31", "--format", "csv"], scratch, discard: true);
                runs.Add((wall, peak));
            }

            var median = WorkerBinary.Median(runs.Select(r => r.Wall));
            var perYear = median / years;
            perYearAtOne ??= perYear;
            var peakMedian = WorkerBinary.Median(runs.Select(r => r.Peak));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  {years,3} years  median {median,6:0.00} s ({WorkerBinary.List(runs.Select(r => r.Wall), "0.00")})  peak {peakMedian,4:0} MiB  {perYear:0.000} s per year  ratio to 1 year {perYear / perYearAtOne:0.00}{(years == 100 ? $"  target <= 150 MiB  {(peakMedian <= 150 ? "PASS" : "FAIL")}" : "")}"));
        }

        WorkerBinary.Delete(scratch);
    }

    /// <summary>
    /// The 20 days replayed one process a day into one database, as a replayed month accumulates: whether a day
    /// costs more when the database already holds the days before it.
    /// </summary>
    private static async Task DayAfterDayAsync(List<DateOnly> days, string[] sample, string scratch)
    {
        var database = Path.Combine(scratch, "day-after-day.db");
        var walls = new List<double>();
        var peaks = new List<double>();
        foreach (var day in days)
        {
            var file = Path.Combine(scratch, $"day-{day:yyyyMMdd}.jsonl");
            await File.WriteAllLinesAsync(file, Shift(sample, day));
            var (wall, peak, _) = await MeasureAsync(["replay", file, "--db", database], scratch);
            walls.Add(wall);
            peaks.Add(peak);
        }

        var firstFive = WorkerBinary.Median(walls.Take(5));
        var lastFive = WorkerBinary.Median(walls.TakeLast(5));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  {days.Count} days one after another into one database: {walls.Sum():0.0} s in all, days 1-5 median {firstFive:0.00} s, days 16-20 median {lastFive:0.00} s, ratio {lastFive / firstFive:0.00}; peak {peaks.Max():0} MiB"));
    }

    /// <summary>The sample day's records moved onto <paramref name="day"/>: every date in the text, and article ids made unique per day.</summary>
    private static IEnumerable<string> Shift(string[] sample, DateOnly day)
    {
        var date = day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        var id = $"\"id\":\"n-{day:yyyyMMdd}-";
        return sample.Where(l => l.Length > 0).Select(l => l.Replace("2026-11-20", date, StringComparison.Ordinal).Replace("\"id\":\"n-", id, StringComparison.Ordinal));
    }

    /// <summary>The first <paramref name="count"/> normal (not special-session) trading days from <paramref name="first"/>, by the shipped calendar.</summary>
    private static async Task<List<DateOnly>> NormalTradingDaysFromAsync(DateOnly first, int count)
    {
        using var host = WorkerHost.CreateBuilder(new WorkerHostSettings
        {
            ContentRoot = Path.GetDirectoryName(WorkerBinary.Dll)!,
            ConsoleLogsToStandardError = true,
            Overrides = new Dictionary<string, string?> { ["Logs:Directory"] = Path.Combine(Path.GetTempPath(), "krx-bench-logs") },
        }).Build();
        var calendar = await host.Services.GetRequiredService<MarketCalendarSource>().LoadAsync(CancellationToken.None);
        var days = new List<DateOnly>();
        for (var day = first; days.Count < count; day = day.AddDays(1))
        {
            if (calendar.SessionOn(day) is { IsSpecial: false })
            {
                days.Add(day);
            }
        }

        return days;
    }

    private static async Task<(double Wall, double PeakMiB, string Stdout)> MeasureAsync(string[] args, string scratch, bool discard = false)
    {
        var clock = Stopwatch.StartNew();
        using var process = WorkerBinary.Start(WorkerBinary.Dll, args, scratch, discardOutput: false);
        var stdout = discard
            ? process.StandardOutput.BaseStream.CopyToAsync(Stream.Null).ContinueWith(_ => "", TaskScheduler.Default)
            : process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        double peak = 0;
        while (!process.HasExited)
        {
            // VmHWM only grows, so the last reading before exit is the peak within one sampling period.
            peak = Math.Max(peak, WorkerBinary.PeakMiB(process.Id));
            await Task.Delay(TimeSpan.FromMilliseconds(20), TimeProvider.System);
        }

        await process.WaitForExitAsync();
        var wall = clock.Elapsed.TotalSeconds;
        await Task.WhenAll(stdout, stderr);
        // `schedule` exits 1 when the range reaches years the calendar lacks (it still prints every poll time, marked).
        return process.ExitCode == 0 || (process.ExitCode == 1 && args[0] == "schedule")
            ? (wall, peak, await stdout)
            : throw new InvalidOperationException($"Worker {string.Join(' ', args)} exited with {process.ExitCode}: {await stderr}");
    }

    [GeneratedRegex(@"poll cycles by outcome\D*?(\d+)")]
    private static partial Regex PollCycles();
}
