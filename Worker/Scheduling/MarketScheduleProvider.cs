using KrxSignal.Worker.Calendar;
using Quartz;

namespace KrxSignal.Worker.Scheduling;

/// <summary>The daemon's one <see cref="MarketSchedule"/>, built when the daemon starts and rebuilt when the calendar is reloaded; the heartbeat and PollJob read it.</summary>
internal sealed class MarketScheduleProvider(MarketCalendarSource calendars, TimeProvider time)
{
    private MarketSchedule? _schedule;

    public MarketSchedule? Current => Volatile.Read(ref _schedule);

    public async Task<MarketSchedule> BuildAsync(CancellationToken cancellationToken)
    {
        var calendar = await calendars.LoadAsync(cancellationToken);
        return Rebuild(calendar);
    }

    /// <summary>Replaces the schedule with one built from <paramref name="calendar"/>, starting now.</summary>
    public MarketSchedule Rebuild(MarketCalendar calendar)
    {
        var schedule = MarketSchedule.Create(calendar, time, time.GetUtcNow(), PollJob.Key);
        Volatile.Write(ref _schedule, schedule);
        return schedule;
    }
}
