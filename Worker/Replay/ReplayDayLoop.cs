using KrxSignal.Worker.Calendar;
using KrxSignal.Worker.Notify.Delivery;
using KrxSignal.Worker.Pipeline;
using KrxSignal.Worker.Scheduling;

namespace KrxSignal.Worker.Replay;

/// <summary>
/// One KST day of a replay: the day's poll fire times and the pipeline job's fire times between them, in time
/// order, each run as the daemon runs it (a poll, then the downstream stages, then a delivery run) on the virtual clock,
/// the pipeline job's next run planned by the daemon's own <see cref="PipelineWake"/>.
/// </summary>
internal sealed class ReplayDayLoop(
    MarketCalendar calendar, PipelineRunner pipeline, DeliveryService delivery, PipelineWake wake, VirtualClock clock, ReplayTape tape, InFlightGate liveRequests)
{
    // When the pipeline job's own trigger fires next, carried from one day to the next as the daemon's trigger is.
    private DateTimeOffset _nextPipelineRun = DateTimeOffset.MinValue;

    /// <returns>What the day did, or null when the calendar has no polls that day (the daemon would not have polled).</returns>
    public async Task<ReplayDayTally?> RunAsync(DateOnly day, int dayNumber, IProgress<ReplayProgress>? progress, CancellationToken cancellationToken)
    {
        var dayStart = Kst.StartOf(day);
        var dayEnd = Kst.StartOf(day.AddDays(1));
        var schedule = MarketSchedule.Create(calendar, clock, dayStart, PollJob.Key);
        var polls = schedule.FireTimes(dayStart, dayEnd).ToList();
        if (polls.Count == 0)
        {
            return null;
        }

        // Days missing from the file (a weekend between two recorded days) are passed over, not lived through.
        if (_nextPipelineRun < dayStart)
        {
            _nextPipelineRun = dayStart;
        }

        // As in the daemon: a poll fire time runs the poll job, whose run triggers the downstream stages at once; between
        // polls the pipeline job's trigger fires when PipelineWake last said (every minute in a window or with work pending).
        var tally = new ReplayDayTally(day);
        var nextPoll = 0;
        while (true)
        {
            var pollAt = nextPoll < polls.Count ? polls[nextPoll].Time : DateTimeOffset.MaxValue;
            var at = pollAt <= _nextPipelineRun ? pollAt : _nextPipelineRun;
            if (at >= dayEnd)
            {
                break;
            }

            clock.AdvanceTo(at);
            if (at == pollAt)
            {
                var slot = schedule.PollAt(at);
                tape.BeginCycle(at, slot.NextPollAt is { } next && next < dayEnd ? next : dayEnd);
                var polling = ReplayPhases.Start();
                var poll = await ClockDriver.DriveAsync(pipeline.RunPollCycleAsync(slot.Context(), cancellationToken), clock, liveRequests);
                ReplayPhases.Stop("poll", polling);
                tally.Polled(polls[nextPoll].Window, poll.Result.Outcome.ToString().ToLowerInvariant());
                nextPoll++;
                if (nextPoll is 1 or 10 or 100)
                {
                    ReplayPhases.Mark($"poll {nextPoll}");
                }

                progress?.Report(new ReplayProgress(day, dayNumber, nextPoll, polls.Count));
            }
            else
            {
                tally.PipelineRuns++;
            }

            var step = ReplayPhases.Start();
            var downstream = await ClockDriver.DriveAsync(pipeline.RunDownstreamAsync(new StageContext(), cancellationToken), clock, liveRequests);
            ReplayPhases.Stop("downstream", step);
            step = ReplayPhases.Start();

            // The daemon's delivery job sends what the step queued; here it follows each step on the same clock.
            var delivered = await ClockDriver.DriveAsync(delivery.RunAsync(deliverNow: false, cancellationToken), clock, liveRequests);
            ReplayPhases.Stop("delivery", step);
            foreach (var run in downstream)
            {
                tally.Suppressions += run.Result.Counts?.GetValueOrDefault("suppressed") ?? 0;
            }

            var settled = delivered.Outcome == StageOutcome.Ok && downstream.All(r => r.Result.Outcome == StageOutcome.Ok);
            step = ReplayPhases.Start();
            _nextPipelineRun = await wake.NextAsync(schedule, settled, cancellationToken);
            ReplayPhases.Stop("wake", step);
        }

        return tally;
    }
}

/// <summary>Where a replay is: the day (and its place in the file) and the polls of that day done so far.</summary>
internal sealed record ReplayProgress(DateOnly Day, int DayNumber, int Done, int Total);
