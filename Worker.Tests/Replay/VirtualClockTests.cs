using KrxSignal.Worker.Replay;

namespace KrxSignal.Worker.Tests.Replay;

public sealed class VirtualClockTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 19, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Delay_TimeNotMoved_NeverCompletes_ThenCompletesAtItsInstant()
    {
        var clock = new VirtualClock(Start);
        var delay = Task.Delay(TimeSpan.FromSeconds(2), clock);

        delay.IsCompleted.Should().BeFalse();
        clock.NextDue.Should().Be(Start.AddSeconds(2));
        clock.AdvanceToNextTimer().Should().BeTrue();

        await delay;
        clock.GetUtcNow().Should().Be(Start.AddSeconds(2));
        clock.NextDue.Should().BeNull();
    }

    [Fact]
    public void AdvanceTo_SeveralTimers_FiresEarliestFirstAtTheirOwnInstants()
    {
        var clock = new VirtualClock(Start);
        var fired = new List<(string Name, DateTimeOffset At)>();
        using var late = clock.CreateTimer(_ => fired.Add(("late", clock.GetUtcNow())), null, TimeSpan.FromSeconds(4), Timeout.InfiniteTimeSpan);
        using var early = clock.CreateTimer(_ => fired.Add(("early", clock.GetUtcNow())), null, TimeSpan.FromSeconds(1), Timeout.InfiniteTimeSpan);

        clock.AdvanceTo(Start.AddMinutes(1));

        fired.Should().Equal(("early", Start.AddSeconds(1)), ("late", Start.AddSeconds(4)));
        clock.GetUtcNow().Should().Be(Start.AddMinutes(1));
    }

    [Fact]
    public void CancelAfter_DisposedBeforeDue_NeverFires()
    {
        var clock = new VirtualClock(Start);
        var cancellation = new CancellationTokenSource(TimeSpan.FromSeconds(10), clock);
        cancellation.Dispose();

        clock.NextDue.Should().BeNull();
        clock.AdvanceTo(Start.AddMinutes(1));
    }

    [Fact]
    public void PeriodicTimer_AdvanceOverThreePeriods_FiresThreeTimes()
    {
        var clock = new VirtualClock(Start);
        var count = 0;
        using var timer = clock.CreateTimer(_ => count++, null, TimeSpan.FromSeconds(15), TimeSpan.FromSeconds(15));

        clock.AdvanceTo(Start.AddSeconds(45));

        count.Should().Be(3);
    }
}
