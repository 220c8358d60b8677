using KrxSignal.Worker.Notify.Delivery;
using KrxSignal.Worker.Scheduling;
using KrxSignal.Worker.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Quartz;

namespace KrxSignal.Worker.Tests.Scheduling;

/// <summary>Firing a job at once, as the poll job fires the pipeline and the pipeline fires delivery.</summary>
public sealed class FireNowTests : IDisposable
{
    // Days before the machine's clock: a trigger due at the machine's now would not fire until then.
    private readonly TestHost _host = new(start: new DateTimeOffset(2026, 11, 24, 14, 0, 0, TimeSpan.Zero));

    public void Dispose() => _host.Dispose();

    [Fact]
    public async Task FireNowAsync_WorkerClockBehindTheMachines_OneOffTriggerDueAtTheWorkersNow()
    {
        using var host = _host.Build();
        var scheduler = await host.Services.GetRequiredService<ISchedulerFactory>().GetScheduler();

        await scheduler.FireNowAsync(DeliveryJob.Key, _host.Time, CancellationToken.None);
        var triggers = await scheduler.GetTriggersOfJob(DeliveryJob.Key);
        await scheduler.Shutdown();

        var trigger = triggers.Should().ContainSingle().Which.Should().BeAssignableTo<ISimpleTrigger>().Subject;
        trigger.RepeatCount.Should().Be(0, "it fires once");
        trigger.StartTimeUtc.Should().Be(_host.Time.GetUtcNow());
    }
}
