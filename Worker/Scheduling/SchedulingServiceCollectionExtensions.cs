using KrxSignal.Worker.Configuration;
using KrxSignal.Worker.Health;
using KrxSignal.Worker.Scheduling.Cluster;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Quartz;

namespace KrxSignal.Worker.Scheduling;

internal static class SchedulingServiceCollectionExtensions
{
    /// <summary>Quartz with the poll and pipeline jobs; the triggers come from the calendar when the daemon starts.</summary>
    public static IServiceCollection AddMarketScheduling(this IServiceCollection services, IConfiguration configuration)
    {
        var identity = ClusterIdentity.Create(configuration);
        var clustered = ClusterScheduling.IsClustered(configuration);
        services.AddClusterNode(configuration, identity);
        services.AddSingleton<JobHealthBoard>();
        services.AddSingleton<JobRunRecorder>();
        services.AddSingleton<IHeartbeatContributor, JobFailureHealth>();
        services.AddSingleton<MarketScheduleProvider>();
        services.AddSingleton<MarketCalendarReloader>();
        services.AddSingleton<IHeartbeatContributor, SchedulingHealth>();
        services.AddValidatedOptions<IdleWakeOptions>();
        services.AddSingleton<PendingWorkProbe>();
        services.AddSingleton<PipelineWake>();
        services.AddSingleton<SchedulerLiveness>();
        services.AddSingleton<ILivenessSource>(sp => sp.GetRequiredService<SchedulerLiveness>());

        // The scheduler takes the app's TimeProvider singleton from the container (Quartz 4 asks the
        // container when UseTimeProvider was not called), so tests and the daemon share one clock.
        services.AddQuartz(q =>
        {
            q.ConfigureScheduler(s =>
            {
                // Cancel running jobs' tokens on shutdown, and still wait for them to unwind.
                s.ShutdownJobInterruption = ShutdownJobInterruption.WhenWaitingForJobs;
            });
            if (clustered)
            {
                q.UseClusteredStore(configuration, identity);
            }
            else
            {
                // In memory, every change to a trigger wakes Quartz's scheduler thread, so its periodic look for work (every
                // 30 s by default) finds nothing it was not told. Looking a day ahead, it always holds the next trigger (the
                // pipeline's wake is at most Scheduling:IdleWakeInterval away) and sleeps until that is due; ClockJumpWake
                // covers a machine that sleeps meanwhile. An empty look would also load OpenSSL (about 5 MiB resident)
                // for the look's random jitter.
                q.ConfigureScheduler(s => s.IdleWaitTime = TimeSpan.FromDays(1));
            }

            q.AddJob<PollJob>(j => j.WithIdentity(PollJob.Key).StoreDurably());
            q.AddJob<PipelineJob>(j => j.WithIdentity(PipelineJob.Key).StoreDurably());
            q.AddJob<Notify.Delivery.DeliveryJob>(j => j.WithIdentity(Notify.Delivery.DeliveryJob.Key).StoreDurably());
        });

        // Registered before the Quartz hosted service, so the triggers exist when the scheduler starts.
        services.AddHostedService<AbandonedRunSweeper>();
        services.AddHostedService<MarketScheduleRegistrar>();
        services.AddHostedService<Notify.Delivery.DeliveryScheduleRegistrar>();
        services.AddQuartzHostedService(o => o.WaitForJobsToComplete = true);
        services.AddHostedService<CalendarFileWatcher>();
        if (!clustered)
        {
            services.AddHostedService<ClockJumpWake>();
        }
        return services;
    }
}
