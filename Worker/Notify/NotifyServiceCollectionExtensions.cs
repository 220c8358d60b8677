using KrxSignal.Worker.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace KrxSignal.Worker.Notify;

public static class NotifyServiceCollectionExtensions
{
    public static IServiceCollection AddNotify(this IServiceCollection services)
    {
        services.AddValidatedOptions<NotifyOptions>();
        return services;
    }
}
