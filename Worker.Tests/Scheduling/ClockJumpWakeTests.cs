using KrxSignal.Worker.Calendar;
using KrxSignal.Worker.Scheduling;
using KrxSignal.Worker.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Quartz;

namespace KrxSignal.Worker.Tests.Scheduling;

/// <summary>A machine that slept, or a clock set forward, puts the sleeping pipeline back on its minute cadence.</summary>
public sealed class ClockJumpWakeTests : IDisposable
{
    private static readonly DateTimeOffset Night = new(2026, 11, 24, 14, 0, 0, TimeSpan.Zero); // 23:00 KST

    private readonly TestHost _host = new(start: Night);

    public void Dispose() => _host.Dispose();

    [Theory]
    [InlineData(60, false)]
    [InlineData(90, false)] // a loaded machine, late by the tolerance
    [InlineData(91, true)]
    [InlineData(8 * 3600, true)] // a night suspended
    public async Task CheckAsync_MinuteTookSeconds_PipelineBackOnItsMinuteOnlyAfterAJump(int seconds, bool jumped)
    {
        using var host = _host.Build();
        var scheduler = await host.Services.GetRequiredService<ISchedulerFactory>().GetScheduler();
        var wake = host.Services.GetServices<IHostedService>().OfType<ClockJumpWake>().Single();
        var sleepingUntil = Night.AddHours(1); // the pipeline found nothing to do and sleeps the idle interval
        await scheduler.ScheduleJob(EveryMinuteTrigger.Create(PipelineJob.EveryMinuteKey, PipelineJob.Key, 0, _host.Time, MarketTimeZone.Kst, sleepingUntil), ScheduleJobOptions.Replacing);
        var before = _host.Time.GetUtcNow();
        _host.Time.Advance(TimeSpan.FromSeconds(seconds));

        var result = await wake.CheckAsync(before, _host.Time.GetUtcNow(), CancellationToken.None);
        var trigger = await scheduler.GetTrigger(PipelineJob.EveryMinuteKey);
        await scheduler.Shutdown();

        result.Should().Be(jumped);
        var nextMinute = new DateTimeOffset(_host.Time.GetUtcNow().UtcTicks / TimeSpan.TicksPerMinute * TimeSpan.TicksPerMinute, TimeSpan.Zero).AddMinutes(1);
        trigger!.GetFireTimeAfter(_host.Time.GetUtcNow()).Should().Be(jumped ? nextMinute : sleepingUntil);
    }
}
