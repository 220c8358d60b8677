using KrxSignal.Worker.Calendar;
using KrxSignal.Worker.Pipeline;
using KrxSignal.Worker.Scheduling;
using Microsoft.Extensions.Time.Testing;
using Quartz;
using static KrxSignal.Worker.Tests.Calendar.TestCalendars;

namespace KrxSignal.Worker.Tests.Scheduling;

public sealed class MarketScheduleTests
{
    private static MarketSchedule For(DateTimeOffset start) => MarketSchedule.Create(Shipped, new FakeTimeProvider(start), start, PollJob.Key);

    private static List<(DateTimeOffset Time, string Window)> Day(int year, int month, int day)
    {
        var start = At(year, month, day);
        return For(start).FireTimes(start, start.AddDays(1)).ToList();
    }

    private static List<string> Times(IEnumerable<(DateTimeOffset Time, string Window)> polls, string window) =>
        polls.Where(p => p.Window == window).Select(p => Shipped.ToKst(p.Time).ToString("HH:mm", System.Globalization.CultureInfo.InvariantCulture)).ToList();

    private static List<string> Every(int fromHour, int fromMinute, int toHour, int toMinute, int step)
    {
        var list = new List<string>();
        for (var m = (fromHour * 60) + fromMinute; m <= (toHour * 60) + toMinute; m += step)
        {
            list.Add($"{m / 60:00}:{m % 60:00}");
        }

        return list;
    }

    [Theory]
    [InlineData(15, 29, "regular", 2026, 11, 20, 15, 30)]
    [InlineData(8, 55, "pre-market", 2026, 11, 20, 9, 0)]
    [InlineData(19, 55, "post-market", 2026, 11, 23, 7, 0)]
    public void PollAt_FridayFireTime_WindowAndNextPollAcrossEdgesAndTheWeekend(int hour, int minute, string window, int year, int month, int day, int nextHour, int nextMinute)
    {
        var fireTime = At(2026, 11, 20, hour, minute);

        var slot = For(At(2026, 11, 20)).PollAt(fireTime);

        slot.Should().Be(new PollSlot(At(year, month, day, nextHour, nextMinute), window));
    }

    [Fact]
    public void PollAt_Night_ClosedAndTheMorningsFirstPoll()
    {
        var slot = For(At(2026, 11, 18)).PollAt(At(2026, 11, 18, 23, 10));

        slot.Should().Be(new PollSlot(At(2026, 11, 19, 7, 0), "closed"));
        slot.Context(forceFresh: true, deliverNow: true).Should().Be(new StageContext(At(2026, 11, 19, 7, 0), ForceFresh: true, DeliverNow: true, Window: "closed"));
    }

    [Fact]
    public void FireTimes_NormalTradingDay_Has468PollsInTheThreeWindows()
    {
        var polls = Day(2026, 11, 18);

        polls.Should().HaveCount(468);
        Times(polls, "pre-market").Should().Equal(Every(7, 0, 8, 55, 5)).And.HaveCount(24);
        Times(polls, "regular").Should().Equal(Every(9, 0, 15, 29, 1)).And.HaveCount(390);
        Times(polls, "post-market").Should().Equal(Every(15, 30, 19, 55, 5)).And.HaveCount(54);
        polls.Select(p => p.Time).Should().BeInAscendingOrder().And.OnlyHaveUniqueItems();
    }

    [Fact]
    public void FireTimes_AfterTheClose_NoRegularFireFrom1531AndNothingAt2000()
    {
        var polls = Day(2026, 11, 18);
        var afterClose = polls.Where(p => Shipped.ToKst(p.Time).TimeOfDay >= new TimeSpan(15, 30, 0)).ToList();

        afterClose.Should().OnlyContain(p => p.Window == "post-market");
        Times(afterClose, "post-market").Should().NotContain(Every(15, 31, 15, 59, 1).Except(["15:35", "15:40", "15:45", "15:50", "15:55"]));
        polls.Select(p => Shipped.ToKst(p.Time).TimeOfDay).Should().NotContain(t => t >= new TimeSpan(20, 0, 0) || t < new TimeSpan(7, 0, 0));
    }

    [Theory]
    [InlineData(2026, 11, 21)] // Saturday
    [InlineData(2026, 11, 22)] // Sunday
    [InlineData(2026, 9, 24)] // Chuseok
    [InlineData(2026, 7, 17)] // Constitution Day, a holiday again from 2026
    [InlineData(2026, 12, 31)] // year-end closing day
    [InlineData(2025, 6, 3)] // presidential election
    public void FireTimes_ClosedDay_HasNoPolls(int year, int month, int day) => Day(year, month, day).Should().BeEmpty();

    [Fact]
    public void FireTimes_FirstTradingDayOpeningAt1000_ShiftsPreMarketAndRegular()
    {
        var polls = Day(2026, 1, 2);

        Times(polls, "pre-market").Should().Equal(Every(7, 0, 9, 55, 5)).And.HaveCount(36);
        Times(polls, "regular").Should().Equal(Every(10, 0, 15, 29, 1)).And.HaveCount(330);
        Times(polls, "post-market").Should().Equal(Every(15, 30, 19, 55, 5)).And.HaveCount(54);
        polls.Should().HaveCount(420);
    }

    [Fact]
    public void FireTimes_ExamDay1000To1630_ShiftsEveryWindow()
    {
        var polls = Day(2026, 11, 19);

        Times(polls, "pre-market").Should().Equal(Every(7, 0, 9, 55, 5)).And.HaveCount(36);
        Times(polls, "regular").Should().Equal(Every(10, 0, 16, 29, 1)).And.HaveCount(390);
        Times(polls, "post-market").Should().Equal(Every(16, 30, 19, 55, 5)).And.HaveCount(42);
        polls.Select(p => p.Time).Should().OnlyHaveUniqueItems();
    }

    [Fact]
    public void FireTimes_Year2026_EqualsTradingDaysTimes468AdjustedForSpecialSessions()
    {
        var start = At(2026, 1, 1);
        var polls = For(start).FireTimes(start, At(2027, 1, 1));

        var expected = 0;
        for (var day = new DateOnly(2026, 1, 1); day.Year == 2026; day = day.AddDays(1))
        {
            if (Shipped.SessionOn(day) is { } session)
            {
                // pre-market every 5 min to the open, regular every minute to the close, post-market every 5 min to 20:00.
                var open = (session.Open.Hour * 60) + session.Open.Minute;
                var close = (session.Close.Hour * 60) + session.Close.Minute;
                expected += ((open - 420) / 5) + (close - open) + ((1200 - close) / 5);
            }
        }

        expected.Should().Be((242 * 468) + 420 + 468, "244 trading days, two of them special sessions");
        polls.Should().HaveCount(expected).And.HaveCount(114_144);
    }

    [Fact]
    public void FireTimes_Year2026_IsStrictlyAscendingAndEqualsEveryTriggersOwnTimesSorted()
    {
        var start = At(2026, 1, 1);
        var end = At(2027, 1, 1);
        var schedule = For(start);
        var fromEachTrigger = new List<(DateTimeOffset Time, string Window)>();
        foreach (var trigger in schedule.Triggers)
        {
            for (var next = trigger.NextFireAfter(start.AddTicks(-1)); next is { } t && t < end; next = trigger.NextFireAfter(t))
            {
                fromEachTrigger.Add((t, trigger.Window));
            }
        }

        var merged = schedule.FireTimes(start, end).ToList();

        merged.Select(p => p.Time).Should().BeInAscendingOrder().And.OnlyHaveUniqueItems();
        merged.Should().Equal(fromEachTrigger.OrderBy(p => p.Time));
    }

    [Fact]
    public void FireTimes_AThousandYearRange_YieldsTheFirstPollsWithoutComputingTheRest()
    {
        // Lazy: taking three polls of a millennium computes three polls, not every instant of the range.
        var start = At(2026, 11, 18);
        var polls = For(start).FireTimes(start, start.AddYears(1000));

        polls.Should().NotBeAssignableTo<System.Collections.ICollection>();
        polls.Take(3).Select(p => Shipped.ToKst(p.Time).ToString("HH:mm", System.Globalization.CultureInfo.InvariantCulture))
            .Should().Equal("07:00", "07:05", "07:10");
    }

    [Fact]
    public void Create_EveryTriggerAndCalendar_IsInKstWithMisfireDoNothing()
    {
        var schedule = For(At(2026, 1, 1));

        schedule.Triggers.Select(t => t.Trigger).Should().AllBeAssignableTo<ICronTrigger>()
            .And.OnlyContain(t => ((ICronTrigger)t).TimeZone.BaseUtcOffset == TimeSpan.FromHours(9))
            .And.OnlyContain(t => t.MisfireInstructionCode == (int)CronTriggerMisfireInstruction.DoNothing)
            .And.OnlyContain(t => t.JobKey.Equals(PollJob.Key));
        schedule.Calendars.Values.Should().ContainSingle().Which.Should().BeOfType<Quartz.Impl.Calendar.HolidayCalendar>()
            .Which.TimeZone.BaseUtcOffset.Should().Be(TimeSpan.FromHours(9));
    }

    [Fact]
    public void Create_StartAfterASpecialSession_LeavesOutItsTriggers()
    {
        // Quartz refuses a trigger that never fires; the daemon starting mid-year must not register past sessions.
        var schedule = For(At(2026, 6, 1));

        schedule.Triggers.Select(t => t.Trigger.Key.Name).Should().NotContain(n => n.Contains("2026-01-02", StringComparison.Ordinal))
            .And.Contain(n => n.Contains("2026-11-19", StringComparison.Ordinal));
    }

    [Fact]
    public void NextFireAfter_FridayEvening_IsMondayPreMarket()
    {
        var next = For(At(2026, 11, 20)).NextFireAfter(At(2026, 11, 20, 19, 55));

        next.Should().Be((At(2026, 11, 23, 7, 0), MarketWindows.PreMarket));
    }
}
