using KrxSignal.Worker.Calendar;
using Microsoft.Extensions.Hosting;
using Quartz;

namespace KrxSignal.Worker.Notify.Delivery;

/// <summary>Schedules the delivery job's trigger when the daemon starts (the job itself is registered with Quartz by Scheduling).</summary>
internal sealed class DeliveryScheduleRegistrar(ISchedulerFactory schedulers, TimeProvider time) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var scheduler = await schedulers.GetScheduler(cancellationToken);
        await scheduler.ScheduleJob(DeliveryJob.CreateTrigger(time, MarketTimeZone.Kst), ScheduleJobOptions.Replacing, cancellationToken);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
