using System.Globalization;
using KrxSignal.Worker.Calendar;
using KrxSignal.Worker.Pipeline;
using Quartz;
using Quartz.Impl.Calendar;

namespace KrxSignal.Worker.Scheduling;

/// <summary>
/// The poll triggers and calendars built from the market calendar: what the daemon registers with
/// Quartz, and what `Worker schedule` asks for fire times. Normal days: cron triggers on weekdays
/// with a holiday calendar that excludes closed days and special-session days. Special sessions:
/// their own cron triggers pinned to the date (day, month and year fields), with the windows
/// shifted to the session's open and close. Every trigger and calendar is in KST.
/// </summary>
internal sealed class MarketSchedule
{
    public const string TriggerGroup = "market";
    public const string NormalDaysCalendar = "krx-normal-days";

    private MarketSchedule(MarketCalendar calendar, IReadOnlyList<ScheduledTrigger> triggers, IReadOnlyDictionary<string, ICalendar> calendars)
    {
        Calendar = calendar;
        Triggers = triggers;
        Calendars = calendars;
    }

    public MarketCalendar Calendar { get; }

    public IReadOnlyList<ScheduledTrigger> Triggers { get; }

    public IReadOnlyDictionary<string, ICalendar> Calendars { get; }

    /// <param name="startAt">No trigger fires before this; triggers that never fire after it are left out (Quartz refuses them).</param>
    public static MarketSchedule Create(MarketCalendar calendar, TimeProvider time, DateTimeOffset startAt, JobKey job)
    {
        var zone = calendar.TimeZone;
        var normalDays = new HolidayCalendar { TimeZone = zone, Description = "KRX closed days and special-session days (KST)" };
        foreach (var date in calendar.ClosedDays.Select(c => c.Date).Concat(calendar.SpecialSessions.Select(s => s.Date)))
        {
            normalDays.AddExcludedDay(date);
        }

        var calendars = new Dictionary<string, ICalendar> { [NormalDaysCalendar] = normalDays };
        var triggers = new List<ScheduledTrigger>();

        foreach (var window in MarketWindows.For(MarketWindows.NormalOpen, MarketWindows.NormalClose))
        {
            Add(triggers, window, "? * MON-FRI", "normal", NormalDaysCalendar, normalDays);
        }

        foreach (var session in calendar.SpecialSessions)
        {
            var date = session.Date;
            var dayPart = string.Create(CultureInfo.InvariantCulture, $"{date.Day} {date.Month} ? {date.Year}");
            foreach (var window in MarketWindows.For(session.Open, session.Close))
            {
                Add(triggers, window, dayPart, date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), null, null);
            }
        }

        return new MarketSchedule(calendar, triggers, calendars);

        void Add(List<ScheduledTrigger> list, MarketWindow window, string dayPart, string day, string? calendarName, ICalendar? quartzCalendar)
        {
            var part = 0;
            foreach (var expression in WindowCron.Expressions(window, dayPart))
            {
                part++;
                var builder = TriggerBuilder.Create(time)
                    .WithIdentity($"{window.Name}.{day}.{part}", TriggerGroup)
                    .WithDescription($"{window.Name} polls ({expression}, {zone.Id})")
                    .ForJob(job)
                    .StartAt(startAt)
                    .WithSchedule(CronScheduleBuilder.Create(expression)
                        .InTimeZone(zone)
                        .WithMisfireInstruction(CronTriggerMisfireInstruction.DoNothing));
                if (calendarName is not null)
                {
                    builder = builder.WithCalendarName(calendarName);
                }

                var scheduled = new ScheduledTrigger(builder.Build(), window.Name, quartzCalendar);
                if (scheduled.NextFireAfter(startAt.AddTicks(-1)) is not null)
                {
                    list.Add(scheduled);
                }
            }
        }
    }

    /// <summary>
    /// Every poll in [<paramref name="from"/>, <paramref name="to"/>), in time order, computed by the triggers and
    /// calendars themselves. Lazy: a k-way merge of the triggers' own sequences holds one pending instant per
    /// trigger, so a century costs the same memory as a day. Equal instants come in trigger order.
    /// </summary>
    public IEnumerable<(DateTimeOffset Time, string Window)> FireTimes(DateTimeOffset from, DateTimeOffset to)
    {
        var pending = new PriorityQueue<int, (DateTimeOffset Time, int Index)>(Triggers.Count);
        for (var index = 0; index < Triggers.Count; index++)
        {
            if (Triggers[index].NextFireAfter(from.AddTicks(-1)) is { } first && first < to)
            {
                pending.Enqueue(index, (first, index));
            }
        }

        while (pending.TryDequeue(out var index, out var fire))
        {
            var trigger = Triggers[index];
            yield return (fire.Time, trigger.Window);
            if (trigger.NextFireAfter(fire.Time) is { } next && next < to)
            {
                pending.Enqueue(index, (next, index));
            }
        }
    }

    /// <summary>
    /// The poll at <paramref name="fireTime"/>: its market window and when the next poll is due (a Retry-After wait
    /// must not run past it). The daemon's poll job, `poll-once` and replay all ask this one function.
    /// </summary>
    public PollSlot PollAt(DateTimeOffset fireTime) => new(NextFireAfter(fireTime)?.Time, Calendar.PhaseAt(fireTime));

    /// <summary>The first poll strictly after <paramref name="instant"/>, with its window.</summary>
    public (DateTimeOffset Time, string Window)? NextFireAfter(DateTimeOffset instant)
    {
        (DateTimeOffset Time, string Window)? best = null;
        foreach (var trigger in Triggers)
        {
            if (trigger.NextFireAfter(instant) is { } next && (best is null || next < best.Value.Time))
            {
                best = (next, trigger.Window);
            }
        }

        return best;
    }
}

/// <param name="NextPollAt">The first poll after this one; null when the calendar has no later poll.</param>
/// <param name="Window">pre-market, regular, post-market, or closed (a poll-once at night).</param>
internal sealed record PollSlot(DateTimeOffset? NextPollAt, string Window)
{
    public StageContext Context(bool forceFresh = false, bool deliverNow = false) =>
        new(NextPollAt: NextPollAt, ForceFresh: forceFresh, DeliverNow: deliverNow, Window: Window);
}

/// <summary>A registered trigger, the window its polls belong to, and the calendar it names (if any).</summary>
internal sealed record ScheduledTrigger(ITrigger Trigger, string Window, ICalendar? Calendar)
{
    /// <summary>The trigger's next fire time after <paramref name="instant"/> that its calendar includes, as Quartz computes it.</summary>
    public DateTimeOffset? NextFireAfter(DateTimeOffset instant)
    {
        var next = Trigger.GetFireTimeAfter(instant);
        while (next is { } t && Calendar is not null && !Calendar.IsTimeIncluded(t))
        {
            next = Trigger.GetFireTimeAfter(t);
        }

        return next;
    }
}
