using KrxSignal.Worker.Scheduling;
using Microsoft.Extensions.Time.Testing;
using Quartz;
using Quartz.Extensibility;
using static KrxSignal.Worker.Tests.Calendar.TestCalendars;

namespace KrxSignal.Worker.Tests.Scheduling;

/// <summary>
/// What the scheduler does with a trigger whose slots passed while it could not fire: the job
/// store calls UpdateAfterMisfire when a blocked trigger is released (a slow run of a
/// [DisallowConcurrentExecution] job) or when a paused host resumes. These tests drive the very
/// triggers the daemon registers through those calls, on a fake clock.
/// </summary>
public sealed class MisfireTests
{
    private readonly FakeTimeProvider _time = new(At(2026, 11, 18, 9, 59).AddSeconds(30));

    private (IOperableTrigger Trigger, ICalendar? Calendar) RegularTrigger()
    {
        var schedule = MarketSchedule.Create(Shipped, _time, _time.GetUtcNow(), PollJob.Key);
        var regular = schedule.Triggers.First(t => t.Window == "regular" && t.Trigger.Key.Name.Contains("normal", StringComparison.Ordinal));
        var trigger = (IOperableTrigger)regular.Trigger;
        trigger.ComputeFirstFireTimeUtc(regular.Calendar);
        return (trigger, regular.Calendar);
    }

    [Fact]
    public void UpdateAfterMisfire_HostPausedTenMinutes_NextFireIsTheNextSlotNotTenReplays()
    {
        var (trigger, calendar) = RegularTrigger();
        trigger.NextFireTimeUtc.Should().Be(At(2026, 11, 18, 10, 0));

        _time.Advance(TimeSpan.FromMinutes(10)); // paused from 09:59:30 to 10:09:30: ten slots missed
        trigger.UpdateAfterMisfire(calendar);

        trigger.NextFireTimeUtc.Should().Be(At(2026, 11, 18, 10, 10), "DoNothing skips to the next slot after now");
        FiresUpTo(trigger, calendar, At(2026, 11, 18, 10, 10)).Should().Equal(At(2026, 11, 18, 10, 10));
    }

    [Fact]
    public void UpdateAfterMisfire_SlowRunReleasedAfterThreeMinutes_NoCatchUpBurst()
    {
        var (trigger, calendar) = RegularTrigger();
        _time.SetUtcNow(At(2026, 11, 18, 10, 0));
        trigger.Triggered(calendar); // the 10:00 run starts and takes 3.5 minutes; 10:01-10:03 come due meanwhile
        trigger.NextFireTimeUtc.Should().Be(At(2026, 11, 18, 10, 1));

        _time.SetUtcNow(At(2026, 11, 18, 10, 3).AddSeconds(30));
        trigger.UpdateAfterMisfire(calendar);

        trigger.NextFireTimeUtc.Should().Be(At(2026, 11, 18, 10, 4), "the slots missed while the run was blocking are dropped, not replayed");
    }

    [Fact]
    public void UpdateAfterMisfire_PausedOverAHoliday_ResumesOnTheNextTradingSlot()
    {
        var (trigger, calendar) = RegularTrigger();

        _time.SetUtcNow(At(2026, 12, 31, 9, 30)); // the year-end closing day
        trigger.UpdateAfterMisfire(calendar);

        // 2027-01-01 is closed and 2027-01-04 is a 10:00 special session with its own triggers, which this calendar excludes.
        trigger.NextFireTimeUtc.Should().Be(At(2027, 1, 5, 9, 0));
    }

    [Fact]
    public void JobDetail_BothJobs_DisallowConcurrentExecution()
    {
        JobBuilder.Create<PollJob>().WithIdentity("poll").Build().ConcurrentExecutionDisallowed.Should().BeTrue();
        JobBuilder.Create<PipelineJob>().WithIdentity("pipeline").Build().ConcurrentExecutionDisallowed.Should().BeTrue();
    }

    private static List<DateTimeOffset> FiresUpTo(IOperableTrigger trigger, ICalendar? calendar, DateTimeOffset until)
    {
        var fires = new List<DateTimeOffset>();
        while (trigger.NextFireTimeUtc is { } next && next <= until)
        {
            fires.Add(next);
            trigger.Triggered(calendar);
        }

        return fires;
    }
}
