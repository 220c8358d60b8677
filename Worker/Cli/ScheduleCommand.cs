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

            var output = parsed.GetValue(format) == "csv" ? Csv(calendar, polls) : Text(calendar, first, last, polls);
            await using var stdout = Console.OpenStandardOutput();
            await stdout.WriteAsync(Encoding.UTF8.GetBytes(output), cancellationToken);

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
    /// exist; a range of centuries would print hundreds of millions of polls. Ten years is more than any plan needs.
    /// </summary>
    private static string? RangeProblem(DateOnly first, DateOnly last)
    {
        var earliest = new DateOnly(1, 1, 2);
        var latest = new DateOnly(9999, 12, 30);
        if (first < earliest || last > latest)
        {
            return $"--from and --to must be between {earliest:yyyy-MM-dd} and {latest:yyyy-MM-dd}.";
        }

        return last.DayNumber - first.DayNumber >= MaxDays ? $"The range must be at most {MaxDays} days (ten years); split it." : null;
    }

    private const int MaxDays = 3653;

    /// <summary>Midnight KST of <paramref name="date"/>, whatever the host's zone.</summary>
    private static DateTimeOffset StartOf(MarketCalendar calendar, DateOnly date)
    {
        var local = date.ToDateTime(TimeOnly.MinValue, DateTimeKind.Unspecified);
        return new DateTimeOffset(local, calendar.TimeZone.GetUtcOffset(local));
    }

    private static string Csv(MarketCalendar calendar, IReadOnlyList<(DateTimeOffset Time, string Window)> polls)
    {
        // '\n' whatever the platform: the output is compared byte for byte.
        var text = new StringBuilder(polls.Count * 40);
        foreach (var (time, window) in polls)
        {
            text.Append(Kst(calendar, time).ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture)).Append(',').Append(window).Append('\n');
        }

        return text.ToString();
    }

    private static string Text(MarketCalendar calendar, DateOnly first, DateOnly last, IReadOnlyList<(DateTimeOffset Time, string Window)> polls)
    {
        var byDay = polls.GroupBy(p => DateOnly.FromDateTime(Kst(calendar, p.Time).DateTime)).ToDictionary(g => g.Key, g => g.ToList());
        var text = new StringBuilder();
        var tradingDays = 0;
        for (var day = first; day <= last; day = day.AddDays(1))
        {
            text.Append(CultureInfo.InvariantCulture, $"{day:yyyy-MM-dd} {day.DayOfWeek.ToString()[..3]}");
            if (!byDay.TryGetValue(day, out var dayPolls))
            {
                var reason = calendar.ClosedReason(day) ?? (calendar.IsCovered(day.Year) ? "closed" : "no polls");
                text.Append(CultureInfo.InvariantCulture, $"  closed: {reason}\n");
                continue;
            }

            tradingDays++;
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

            text.Append('\n');
        }

        text.Append(CultureInfo.InvariantCulture, $"{polls.Count} polls on {tradingDays} trading days (KST)\n");
        return text.ToString();
    }

    private static DateTimeOffset Kst(MarketCalendar calendar, DateTimeOffset time) => calendar.ToKst(time);
}
