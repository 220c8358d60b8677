using KrxSignal.Worker.Hosting;
using KrxSignal.Worker.Notify.Delivery;
using KrxSignal.Worker.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;
using Quartz;
using Quartz.Extensibility;

namespace KrxSignal.Worker.Tests.Notify;

/// <summary>The delivery job is a job of its own, with its own trigger, beside the pipeline job.</summary>
public sealed class DeliveryJobTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task Registrar_RealHost_DeliveryJobDurableAndTriggeredEveryMinute()
    {
        using var host = WorkerHost.CreateBuilder(new WorkerHostSettings
        {
            ContentRoot = AppContext.BaseDirectory,
            Overrides = new Dictionary<string, string?>
            {
                ["Storage:DatabasePath"] = _folder.File("worker.db"),
                ["Heartbeat:Path"] = _folder.File("heartbeat.json"),
                ["Logs:Directory"] = _folder.File("logs"),
            },
        }).Build();
        var registrar = host.Services.GetServices<IHostedService>().OfType<DeliveryScheduleRegistrar>().Single();

        await registrar.StartAsync(CancellationToken.None);
        var scheduler = await host.Services.GetRequiredService<ISchedulerFactory>().GetScheduler();
        var job = await scheduler.GetJobDetail(DeliveryJob.Key);
        var trigger = await scheduler.GetTrigger(DeliveryJob.TriggerKey);
        await scheduler.Shutdown();

        job.Should().NotBeNull();
        job!.JobType.Type.Should().Be<DeliveryJob>();
        job.ConcurrentExecutionDisallowed.Should().BeTrue("a run never overlaps the previous one in a process");
        trigger.Should().NotBeNull().And.BeAssignableTo<ICronTrigger>()
            .Which.MisfireInstruction.Should().Be(CronTriggerMisfireInstruction.DoNothing, "a missed minute is skipped, not replayed");
    }

    [Fact]
    public void CreateTrigger_FromAnyInstant_FiresEveryMinuteAtSecond20()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 19, 1, 0, 5, TimeSpan.Zero));
        var trigger = (IOperableTrigger)DeliveryJob.CreateTrigger(time, Worker.Calendar.MarketTimeZone.Kst);

        var first = trigger.GetFireTimeAfter(time.GetUtcNow())!.Value;
        var second = trigger.GetFireTimeAfter(first)!.Value;

        first.Should().Be(new DateTimeOffset(2026, 11, 19, 1, 0, 20, TimeSpan.Zero));
        (second - first).Should().Be(TimeSpan.FromMinutes(1));
    }
}
