using Refit;

namespace KrxSignal.Worker.StockApi;

/// <summary>
/// Creates the Refit client over the named HttpClient. ForGenerated uses the source-generated implementation and the
/// generated JSON context; Refit 16.4's AddRefitClient would need the Refit.Reflection package at run time.
/// </summary>
public sealed class StockApiClientFactory(IHttpClientFactory httpClients)
{
    public IStockApi Create() =>
        RestService.ForGenerated<IStockApi>(httpClients.CreateClient(StockApiServiceCollectionExtensions.HttpClientName), StockApiJsonContext.Default);
}
