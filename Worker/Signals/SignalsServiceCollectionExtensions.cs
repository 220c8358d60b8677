using KrxSignal.Worker.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace KrxSignal.Worker.Signals;

public static class SignalsServiceCollectionExtensions
{
    public static IServiceCollection AddSignals(this IServiceCollection services)
    {
        services.AddValidatedOptions<SignalsOptions>();
        services.AddSingleton<SignalStore>();
        services.AddSingleton<SignalStage>();
        return services;
    }
}
