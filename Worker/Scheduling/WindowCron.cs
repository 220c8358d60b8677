using System.Globalization;
using KrxSignal.Worker.Calendar;

namespace KrxSignal.Worker.Scheduling;

/// <summary>
/// Turns a market window into Quartz cron expressions that fire exactly inside it. A window edge
/// inside an hour gets its own expression: "0 * 9-15 ..." would also fire 15:31-15:59.
/// </summary>
internal static class WindowCron
{
    /// <param name="dayPart">The day-of-month, month, day-of-week and optional year fields, e.g. "? * MON-FRI" or "19 11 ? 2026".</param>
    public static IReadOnlyList<string> Expressions(MarketWindow window, string dayPart)
    {
        var cadence = window.CadenceMinutes;
        var start = MinuteOfDay(window.Start);
        var end = MinuteOfDay(window.End);
        var first = (start + cadence - 1) / cadence * cadence; // on the clock: 07:00, 07:05, ...

        // Per hour, the first and last minute that fires; consecutive hours with the same span share an expression.
        var hours = new List<(int Hour, int First, int Last)>();
        for (var minute = first; minute < end; minute += cadence)
        {
            var hour = minute / 60;
            if (hours.Count > 0 && hours[^1].Hour == hour)
            {
                hours[^1] = hours[^1] with { Last = minute % 60 };
            }
            else
            {
                hours.Add((hour, minute % 60, minute % 60));
            }
        }

        var expressions = new List<string>();
        var i = 0;
        while (i < hours.Count)
        {
            var j = i;
            while (j + 1 < hours.Count && hours[j + 1].Hour == hours[j].Hour + 1 && hours[j + 1].First == hours[i].First && hours[j + 1].Last == hours[i].Last)
            {
                j++;
            }

            var hourField = i == j ? Text(hours[i].Hour) : $"{Text(hours[i].Hour)}-{Text(hours[j].Hour)}";
            expressions.Add($"0 {MinuteField(hours[i].First, hours[i].Last, cadence)} {hourField} {dayPart}");
            i = j + 1;
        }

        return expressions;
    }

    private static string MinuteField(int first, int last, int cadence) =>
        first == last ? Text(first)
        : cadence == 1 && first == 0 && last == 59 ? "*"
        : cadence == 1 ? $"{Text(first)}-{Text(last)}"
        : $"{Text(first)}-{Text(last)}/{Text(cadence)}";

    private static int MinuteOfDay(TimeOnly time) => (time.Hour * 60) + time.Minute;

    private static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);
}
