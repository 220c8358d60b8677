using KrxSignal.Worker.Configuration;
using KrxSignal.Worker.Health;
using KrxSignal.Worker.Health.Doctor;
using KrxSignal.Worker.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Quartz;

namespace KrxSignal.Worker.Scheduling.Cluster;

/// <summary>
/// With <c>Storage:Provider</c> = <c>postgres</c>, Quartz keeps its jobs, triggers and calendars in the same database
/// (clustered ADO.NET job store, tables qrtz_*), so every node shares one schedule and each trigger fires on one node.
/// With SQLite nothing here applies: the in-memory store, as on one machine.
/// </summary>
internal static class ClusterScheduling
{
    /// <summary>Whether the configuration puts this process in a cluster; read while the host is being composed.</summary>
    public static bool IsClustered(IConfiguration configuration) =>
        Enum.TryParse<StorageProvider>(configuration[$"{StorageOptions.Section}:{nameof(StorageOptions.Provider)}"], ignoreCase: true, out var provider)
        && provider == StorageProvider.Postgres;

    public static IServiceCollection AddClusterNode(this IServiceCollection services, IConfiguration configuration, ClusterIdentity identity)
    {
        services.AddValidatedOptions<ClusterOptions>();
        services.AddSingleton(identity);
        if (IsClustered(configuration))
        {
            // Before the schedule registrars: the scheduler they build validates this schema.
            services.AddSingleton<QuartzSchema>();
            services.AddHostedService(sp => sp.GetRequiredService<QuartzSchema>());
            services.AddSingleton<LastPollReader>();
            services.AddSingleton<IHeartbeatContributor, ClusterHealthContributor>();
            services.AddSingleton<IDoctorCheck, ClusterDoctorCheck>();
        }

        return services;
    }

    /// <summary>The persistent store; the options are the configuration's (validated again when the host starts).</summary>
    public static void UseClusteredStore(this IQuartzBuilder quartz, IConfiguration configuration, ClusterIdentity identity)
    {
        var options = configuration.GetSection(ClusterOptions.Section).Get<ClusterOptions>() ?? new ClusterOptions();
        quartz.ConfigureScheduler(s =>
        {
            s.InstanceName = QuartzSchema.SchedulerName;
            s.InstanceId = identity.InstanceId;
        });
        quartz.UsePersistentStore(store =>
        {
            // The Worker's own pool, so the connection string (a secret) is held in one place.
            store.UsePostgres(source => source.DataSourceFactory = sp => ((PostgresDatabase)sp.GetRequiredService<Database>()).Source);
            store.UseClustering(c =>
            {
                c.CheckinInterval = options.CheckinInterval;
                c.CheckinMisfireThreshold = options.CheckinMisfireThreshold;
            });
            store.UseSystemTextJsonSerializer();
            store.ConfigureStore(o =>
            {
                o.TablePrefix = QuartzSchema.TablePrefix;
                o.SchemaProvisioning = SchemaProvisioning.Validate; // QuartzSchema creates it, under an advisory lock
            });
        });
    }
}
