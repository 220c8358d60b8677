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

            using var host = WorkerHost.CreateBuilder(settings with { ConsoleLogsToStandardError = true }).Build();
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
            return ExitCodes.Ok;
        });
        return command;
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
