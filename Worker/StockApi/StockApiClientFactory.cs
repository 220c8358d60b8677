using Microsoft.Extensions.DependencyInjection;

namespace KrxSignal.Worker.StockApi;

/// <summary>
/// Hands out the Refit client registered with AddRefitGeneratedClient. It is a typed client (transient): the poll
/// stage and the doctor check are singletons, so they take a fresh one per use instead of capturing one, and the
/// HttpClientFactory's handler rotation keeps working.
/// </summary>
internal sealed class StockApiClientFactory(IServiceProvider services)
{
    public IStockApi Create() => services.GetRequiredService<IStockApi>();
}
