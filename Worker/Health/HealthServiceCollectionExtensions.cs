using KrxSignal.Worker.Configuration;
using KrxSignal.Worker.Health.Doctor;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace KrxSignal.Worker.Health;

public static class HealthServiceCollectionExtensions
{
    public static IServiceCollection AddHealth(this IServiceCollection services)
    {
        services.AddValidatedOptions<HeartbeatOptions>();
        services.AddSingleton<HeartbeatWriter>();
        services.AddHostedService(sp => sp.GetRequiredService<HeartbeatWriter>());
        services.AddSingleton<ILivenessSource>(sp => sp.GetRequiredService<HeartbeatWriter>());
        services.AddSingleton<IDoctorCheck, HeartbeatPathCheck>();
        return services;
    }
}
