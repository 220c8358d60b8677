using KrxSignal.Worker.Configuration;
using KrxSignal.Worker.Health;
using Microsoft.Extensions.DependencyInjection;

namespace KrxSignal.Worker.StockApi;

public static class StockApiServiceCollectionExtensions
{
    public static IServiceCollection AddStockApi(this IServiceCollection services)
    {
        services.AddValidatedOptions<StockApiOptions>();
        services.AddSingleton<MarketData>();
        services.AddSingleton<IHeartbeatContributor, PollingSetupHealth>();
        return services;
    }
}
