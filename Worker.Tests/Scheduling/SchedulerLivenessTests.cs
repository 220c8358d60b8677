using KrxSignal.Worker.Scheduling;
using Microsoft.Extensions.Time.Testing;
using Quartz;

namespace KrxSignal.Worker.Tests.Scheduling;

/// <summary>
/// The scheduler's liveness on a fake clock, over a real (in-memory, job-less) Quartz scheduler whose state the
/// tests move through start, standby and shutdown; the PipelineJob's runs are reported as PipelineJob reports them.
/// </summary>
public sealed class SchedulerLivenessTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 19, 1, 0, 0, TimeSpan.Zero));
    private readonly StandaloneSchedulerFactory _factory = QuartzSchedulerBuilder.Create().Build();
    private IScheduler _scheduler = null!;

    public async Task InitializeAsync() => _scheduler = await _factory.GetScheduler();

    public async Task DisposeAsync() => await _factory.DisposeAsync();

    [Fact]
    public void IsAlive_NotAttachedWithinStartGrace_Alive()
    {
        var liveness = new SchedulerLiveness(_time);
        _time.Advance(SchedulerLiveness.StartGrace);

        liveness.IsAlive(_time.GetUtcNow(), out _).Should().BeTrue();
    }

    [Fact]
    public void IsAlive_NeverAttachedAfterStartGrace_WedgedSaysNotStarted()
    {
        var liveness = new SchedulerLiveness(_time);
        _time.Advance(SchedulerLiveness.StartGrace + TimeSpan.FromSeconds(1));

        liveness.IsAlive(_time.GetUtcNow(), out var reason).Should().BeFalse();
        reason.Should().Be("the scheduler has not started in the 3m 1s since start-up");
    }

    [Fact]
    public async Task IsAlive_StartedAndNoRunYetWithinGrace_Alive()
    {
        var liveness = await StartedAsync();
        _time.Advance(TimeSpan.FromMinutes(2));

        liveness.IsAlive(_time.GetUtcNow(), out _).Should().BeTrue();
    }

    [Fact]
    public async Task IsAlive_StartedButPipelineNeverRanAfterGrace_Wedged()
    {
        var liveness = await StartedAsync();
        _time.Advance(TimeSpan.FromMinutes(4));

        liveness.IsAlive(_time.GetUtcNow(), out var reason).Should().BeFalse();
        reason.Should().Be("the pipeline job has not run in the 4m 0s since the scheduler started");
    }

    [Fact]
    public async Task IsAlive_PipelineRunEveryMinute_StaysAliveForAnHour()
    {
        var liveness = await StartedAsync();
        for (var minute = 0; minute < 60; minute++)
        {
            _time.Advance(TimeSpan.FromMinutes(1));
            liveness.RunStarted();
            _time.Advance(TimeSpan.FromSeconds(5));
            liveness.RunFinished();

            liveness.IsAlive(_time.GetUtcNow(), out var reason).Should().BeTrue(reason);
        }
    }

    [Fact]
    public async Task IsAlive_LastRunLongerAgoThanSilenceLimit_WedgedWithTheAge()
    {
        var liveness = await StartedAsync();
        liveness.RunStarted();
        liveness.RunFinished();

        _time.Advance(SchedulerLiveness.SilenceLimit);
        liveness.IsAlive(_time.GetUtcNow(), out _).Should().BeTrue("three minutes is still within the limit");
        _time.Advance(TimeSpan.FromSeconds(30));

        liveness.IsAlive(_time.GetUtcNow(), out var reason).Should().BeFalse();
        reason.Should().Be("the pipeline job last ran 3m 30s ago, expected every minute");
    }

    [Fact]
    public async Task IsAlive_RunPlannedAnHourLater_AliveUntilTwoMinutesPastThePlanThenWedged()
    {
        var liveness = await StartedAsync();
        liveness.RunStarted();
        liveness.RunFinished();
        liveness.NextRunExpectedAt(_time.GetUtcNow().AddHours(1));

        _time.Advance(TimeSpan.FromHours(1) + TimeSpan.FromMinutes(2));
        liveness.IsAlive(_time.GetUtcNow(), out var early).Should().BeTrue(early);
        _time.Advance(TimeSpan.FromSeconds(30));

        liveness.IsAlive(_time.GetUtcNow(), out var reason).Should().BeFalse();
        reason.Should().Be("the pipeline job last ran 1h 2m ago, expected again 2m 30s ago");
    }

    [Fact]
    public async Task IsAlive_LongRunInProgress_AliveUntilMaxRunTimeThenWedged()
    {
        var liveness = await StartedAsync();
        liveness.RunStarted();

        _time.Advance(TimeSpan.FromMinutes(10));
        liveness.IsAlive(_time.GetUtcNow(), out _).Should().BeTrue("a slow batch blocks the minute trigger without being a wedge");
        _time.Advance(SchedulerLiveness.MaxRunTime - TimeSpan.FromMinutes(10) + TimeSpan.FromSeconds(1));

        liveness.IsAlive(_time.GetUtcNow(), out var reason).Should().BeFalse();
        reason.Should().Be("the pipeline job has been running for 15m 1s, longer than 15m 0s");
    }

    [Fact]
    public async Task IsAlive_RunFinishedAfterLongRun_CountsFromTheFinish()
    {
        var liveness = await StartedAsync();
        liveness.RunStarted();
        _time.Advance(TimeSpan.FromMinutes(12));
        liveness.RunFinished();

        _time.Advance(TimeSpan.FromMinutes(2));

        liveness.IsAlive(_time.GetUtcNow(), out var reason).Should().BeTrue(reason);
    }

    [Fact]
    public async Task IsAlive_SchedulerShutDown_WedgedAtOnce()
    {
        var liveness = await StartedAsync();
        liveness.RunStarted();
        liveness.RunFinished();

        await _scheduler.Shutdown(waitForJobsToComplete: false);

        liveness.IsAlive(_time.GetUtcNow(), out var reason).Should().BeFalse();
        reason.Should().Be("the scheduler has been shut down");
    }

    [Fact]
    public async Task IsAlive_SchedulerInStandbyPastGrace_Wedged()
    {
        var liveness = await StartedAsync();
        await _scheduler.Standby();
        _time.Advance(SchedulerLiveness.StartGrace + TimeSpan.FromSeconds(1));

        liveness.IsAlive(_time.GetUtcNow(), out var reason).Should().BeFalse();
        reason.Should().Be("the scheduler is not running (standby)");
    }

    private async Task<SchedulerLiveness> StartedAsync()
    {
        var liveness = new SchedulerLiveness(_time);
        liveness.Attach(_scheduler);
        await _scheduler.Start();
        return liveness;
    }
}
