using KrxSignal.Worker.Calendar;
using KrxSignal.Worker.Notify.Delivery;
using KrxSignal.Worker.Pipeline;
using KrxSignal.Worker.Scheduling;

namespace KrxSignal.Worker.Replay;

/// <summary>
/// One KST day of a replay: the day's poll fire times and the pipeline job's fire times between them, in time
/// order, each run as the daemon runs it (a poll, then the downstream stages, then a delivery run) on the virtual clock.
/// </summary>
internal sealed class ReplayDayLoop(
    MarketCalendar calendar, PipelineRunner pipeline, DeliveryService delivery, VirtualClock clock, ReplayTape tape, InFlightGate liveRequests)
{
    /// <returns>What the day did, or null when the calendar has no polls that day (the daemon would not have polled).</returns>
    public async Task<ReplayDayTally?> RunAsync(DateOnly day, int dayNumber, IProgress<ReplayProgress>? progress, CancellationToken cancellationToken)
    {
        var dayStart = Kst.StartOf(day);
        var dayEnd = Kst.StartOf(day.AddDays(1));
        var schedule = MarketSchedule.Create(calendar, clock, dayStart, PollJob.Key);
        var events = FireTimes(schedule, dayStart, dayEnd);
        var polls = events.Where(e => e.Window is not null).ToList();
        if (polls.Count == 0)
        {
            return null;
        }

        // As in the daemon: a poll fire time runs the poll job, whose run triggers the downstream stages at once.
        var tally = new ReplayDayTally(day);
        for (var i = 0; i < events.Count; i++)
        {
            var (at, window) = events[i];
            clock.AdvanceTo(at);
            if (window is not null)
            {
                var slot = schedule.PollAt(at);
                tape.BeginCycle(at, slot.NextPollAt is { } next && next < dayEnd ? next : dayEnd);
                var poll = await ClockDriver.DriveAsync(pipeline.RunPollCycleAsync(slot.Context(), cancellationToken), clock, liveRequests);
                tally.Polled(window, poll.Result.Outcome.ToString().ToLowerInvariant());
            }
            else
            {
                tally.PipelineRuns++;
            }

            var downstream = await ClockDriver.DriveAsync(pipeline.RunDownstreamAsync(new StageContext(), cancellationToken), clock, liveRequests);

            // The daemon's delivery job sends what the step queued; here it follows each step on the same clock.
            await ClockDriver.DriveAsync(delivery.RunAsync(deliverNow: false, cancellationToken), clock, liveRequests);
            foreach (var run in downstream)
            {
                tally.Suppressions += run.Result.Counts?.GetValueOrDefault("suppressed") ?? 0;
            }

            progress?.Report(new ReplayProgress(day, dayNumber, i + 1, events.Count));
        }

        return tally;
    }

    /// <summary>The poll fire times of the day (with their window) and the pipeline job's minute fire times, merged in time order.</summary>
    private List<(DateTimeOffset Time, string? Window)> FireTimes(MarketSchedule schedule, DateTimeOffset dayStart, DateTimeOffset dayEnd)
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
}

/// <summary>Where a replay is: the day (and its place in the file) and the fire times of that day done so far.</summary>
internal sealed record ReplayProgress(DateOnly Day, int DayNumber, int Done, int Total);
