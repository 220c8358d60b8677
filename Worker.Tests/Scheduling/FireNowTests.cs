using KrxSignal.Worker.Hosting;
using KrxSignal.Worker.Notify.Delivery;
using KrxSignal.Worker.Scheduling;
using KrxSignal.Worker.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Quartz;

namespace KrxSignal.Worker.Tests.Scheduling;

/// <summary>Firing a job at once, as the poll job fires the pipeline and the pipeline fires delivery.</summary>
public sealed class FireNowTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task FireNowAsync_ShiftedClock_OneOffTriggerDueAtTheWorkersNowNotTheMachines()
    {
        using var host = WorkerHost.CreateBuilder(new WorkerHostSettings
        {
            ContentRoot = AppContext.BaseDirectory,
            Overrides = new Dictionary<string, string?>
            {
                ["Storage:DatabasePath"] = _folder.File("worker.db"),
                ["Heartbeat:Path"] = _folder.File("heartbeat.json"),
                ["Logs:Directory"] = _folder.File("logs"),
                ["Clock:StartAt"] = "2026-11-24T23:00:00+09:00", // days before the machine's clock
            },
        }).Build();
        var time = host.Services.GetRequiredService<TimeProvider>();
        var scheduler = await host.Services.GetRequiredService<ISchedulerFactory>().GetScheduler();
        var before = time.GetUtcNow();

        await scheduler.FireNowAsync(DeliveryJob.Key, time, CancellationToken.None);
        var triggers = await scheduler.GetTriggersOfJob(DeliveryJob.Key);
        var after = time.GetUtcNow();
        await scheduler.Shutdown();

        var trigger = triggers.Should().ContainSingle().Which.Should().BeAssignableTo<ISimpleTrigger>().Subject;
        trigger.RepeatCount.Should().Be(0, "it fires once");
        trigger.StartTimeUtc.Should().BeOnOrAfter(before).And.BeOnOrBefore(after,
            "the machine's clock reads days later: a trigger due then would not fire until then");
    }
}
