using System.CommandLine;
using System.Globalization;
using System.Text;
using KrxSignal.Worker.Calendar;
using KrxSignal.Worker.Hosting;
using KrxSignal.Worker.Scheduling;
using Microsoft.Extensions.DependencyInjection;

namespace KrxSignal.Worker.Cli;

/// <summary>
/// `Worker schedule --from D --to D [--format text|csv]`: every poll time in the range, computed by
/// the same <see cref="MarketSchedule"/> triggers and calendars the daemon registers with Quartz.
/// csv: one row per poll, no header ("2026-11-19T07:00:00+09:00,pre-market"); text: one line per day.
/// </summary>
internal static class ScheduleCommand
{
    private const int OutputBufferChars = 64 * 1024;

    public static Command Create(WorkerHostSettings settings)
    {
        var from = new Option<DateOnly>("--from") { Required = true, Description = "First KST date (yyyy-MM-dd)." };
        var to = new Option<DateOnly>("--to") { Required = true, Description = "Last KST date (yyyy-MM-dd), inclusive." };
        var format = new Option<string>("--format") { DefaultValueFactory = _ => "text", Description = "text or csv." }.AcceptOnlyFromAmong("text", "csv");
        var command = new Command("schedule", "Print every poll time in a date range, from the daemon's own triggers and calendar.") { from, to, format };
        command.SetAction(async (parsed, cancellationToken) =>
        {
            var first = parsed.GetValue(from);
            var last = parsed.GetValue(to);
            if (last < first)
            {
                await Console.Error.WriteLineAsync("--to must not be before --from.");
                return ExitCodes.Usage;
            }

            if (RangeProblem(first, last) is { } problem)
            {
                await Console.Error.WriteLineAsync(problem);
                return ExitCodes.Usage;
            }

            using var host = WorkerHost.CreateBuilder(settings with { ConsoleLogsToStandardError = true, WritesLogFiles = false }).Build();
            var calendar = await host.Services.GetRequiredService<MarketCalendarSource>().LoadAsync(cancellationToken);
            var start = StartOf(calendar, first);
            var end = StartOf(calendar, last.AddDays(1));
            var schedule = MarketSchedule.Create(calendar, TimeProvider.System, start, PollJob.Key);
            var polls = schedule.FireTimes(start, end);

            // Rows go out as the merge yields them, through one buffer: memory stays flat whatever the range.
            await using var stdout = Console.OpenStandardOutput();
            await using var writer = new StreamWriter(stdout, new UTF8Encoding(false), OutputBufferChars) { NewLine = "\n" };
            if (parsed.GetValue(format) == "csv")
            {
                await Csv(writer, calendar, polls, cancellationToken);
            }
            else
            {
                await Text(writer, calendar, first, last, polls, cancellationToken);
            }

            await writer.FlushAsync(cancellationToken);

            // Days of a year the calendar lacks are scheduled as if KRX had no holidays then: say so, and fail.
            var missing = Enumerable.Range(first.Year, last.Year - first.Year + 1).Where(year => !calendar.IsCovered(year)).ToList();
            if (missing.Count > 0)
            {
                var file = host.Services.GetRequiredService<MarketCalendarSource>().FilePath;
                await Console.Error.WriteLineAsync(
                    $"Warning: {file} has no calendar for {string.Join(", ", missing)}: those days are shown as if KRX had no holidays or special sessions, which is not true. Add the year's calendar (see docs/calendar.md).");
                return ExitCodes.Partial;
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>
    /// KST midnight of 0001-01-01 is before the first instant .NET can hold, and the day after 9999-12-31 does not
    /// exist. Any range between them streams in flat memory (a century of polls is about 11 million rows).
    /// </summary>
    private static string? RangeProblem(DateOnly first, DateOnly last)
    {
        var earliest = new DateOnly(1, 1, 2);
        var latest = new DateOnly(9999, 12, 30);
        if (first < earliest || last > latest)
        {
            return $"--from and --to must be between {earliest:yyyy-MM-dd} and {latest:yyyy-MM-dd}.";
        }

        return null;
    }

    /// <summary>Midnight KST of <paramref name="date"/>, whatever the host's zone.</summary>
    private static DateTimeOffset StartOf(MarketCalendar calendar, DateOnly date)
    {
        var local = date.ToDateTime(TimeOnly.MinValue, DateTimeKind.Unspecified);
        return new DateTimeOffset(local, calendar.TimeZone.GetUtcOffset(local));
    }

    private static async Task Csv(TextWriter writer, MarketCalendar calendar, IEnumerable<(DateTimeOffset Time, string Window)> polls, CancellationToken cancellationToken)
    {
        // '\n' whatever the platform: the output is compared byte for byte. One reused row buffer, no string per row.
        var row = new char[64];
        foreach (var (time, window) in polls)
        {
            Kst(calendar, time).TryFormat(row, out var length, "yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture);
            row[length++] = ',';
            window.CopyTo(row.AsSpan(length));
            length += window.Length;
            row[length++] = '\n';
            await writer.WriteAsync(row.AsMemory(0, length), cancellationToken);
        }
    }

    private static async Task Text(TextWriter writer, MarketCalendar calendar, DateOnly first, DateOnly last, IEnumerable<(DateTimeOffset Time, string Window)> polls, CancellationToken cancellationToken)
    {
        // Polls come in time order, so each day's polls are the next run of the sequence: one day is held at a time.
        using var next = polls.GetEnumerator();
        var pending = next.MoveNext();
        var total = 0;
        var tradingDays = 0;
        var dayPolls = new List<(DateTimeOffset Time, string Window)>();
        for (var day = first; day <= last; day = day.AddDays(1))
        {
            dayPolls.Clear();
            while (pending && DateOnly.FromDateTime(Kst(calendar, next.Current.Time).DateTime) == day)
            {
                dayPolls.Add(next.Current);
                pending = next.MoveNext();
            }

            await writer.WriteAsync(DayLine(calendar, day, dayPolls).AsMemory(), cancellationToken);
            total += dayPolls.Count;
            tradingDays += dayPolls.Count > 0 ? 1 : 0;
        }

        await writer.WriteAsync(string.Create(CultureInfo.InvariantCulture, $"{total} polls on {tradingDays} trading days (KST)\n").AsMemory(), cancellationToken);
    }

    private static string DayLine(MarketCalendar calendar, DateOnly day, List<(DateTimeOffset Time, string Window)> dayPolls)
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"{day:yyyy-MM-dd} {day.DayOfWeek.ToString()[..3]}");
        if (dayPolls.Count == 0)
        {
            var reason = calendar.ClosedReason(day) ?? (calendar.IsCovered(day.Year) ? "closed" : "no polls");
            return text.Append(CultureInfo.InvariantCulture, $"  closed: {reason}\n").ToString();
        }

        foreach (var window in dayPolls.GroupBy(p => p.Window))
        {
            var times = window.Select(p => Kst(calendar, p.Time)).ToList();
            text.Append(CultureInfo.InvariantCulture, $"  {window.Key} {times[0]:HH:mm}-{times[^1]:HH:mm} ({times.Count})");
        }

        text.Append(CultureInfo.InvariantCulture, $"  = {dayPolls.Count}");
        if (calendar.SessionOn(day) is { IsSpecial: true } session)
        {
            text.Append(CultureInfo.InvariantCulture, $"  [{session.SpecialName}: {session.Open:HH:mm}-{session.Close:HH:mm}]");
        }

        if (!calendar.IsCovered(day.Year))
        {
            text.Append("  [year not in the calendar]");
        }

        return text.Append('\n').ToString();
    }

    private static DateTimeOffset Kst(MarketCalendar calendar, DateTimeOffset time) => calendar.ToKst(time);
}
