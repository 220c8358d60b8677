using KrxSignal.Worker.Configuration;
using KrxSignal.Worker.Health.Doctor;
using KrxSignal.Worker.Health.Watchdog;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace KrxSignal.Worker.Health;

internal static class HealthServiceCollectionExtensions
{
    public static IServiceCollection AddHealth(this IServiceCollection services)
    {
        services.AddValidatedOptions<HeartbeatOptions>();
        services.AddSingleton<HeartbeatWriter>();
        services.AddHostedService(sp => sp.GetRequiredService<HeartbeatWriter>());
        services.AddSingleton<ILivenessSource>(sp => sp.GetRequiredService<HeartbeatWriter>());
        services.AddSingleton<IDoctorCheck, HeartbeatPathCheck>();

        // The systemd watchdog pings only while the scheduler proves alive; it needs the notifier of AddServiceManager.
        services.AddSingleton(SystemdWatchdogSettings.FromEnvironment());
        services.AddValidatedOptions<WatchdogOptions>();
        services.AddHostedService<LivenessWatchdog>();
        return services;
    }
}
