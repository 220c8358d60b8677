using Refit;

namespace KrxSignal.Worker.StockApi;

/// <summary>
/// The upstream's three endpoints (docs/stock-api.yaml). Each returns the raw response: the poll stage
/// reads the body itself, under a size limit, so a garbage answer becomes a counted failure, never an exception
/// thrown from inside Refit, and the exact bytes can be recorded for replay.
/// </summary>
internal interface IStockApi
{
    [Get("/api/webai/portfolio")]
    Task<HttpResponseMessage> GetPortfolioAsync(CancellationToken cancellationToken);

    /// <param name="kstDate">The KST trading date, yyyy-MM-dd, sent as ?date=.</param>
    [Get("/api/webai/news-sentiment")]
    Task<HttpResponseMessage> GetNewsSentimentAsync([Query, AliasAs("date")] string kstDate, CancellationToken cancellationToken);

    [Post("/api/stock/screener/run")]
    Task<HttpResponseMessage> RunScreenerAsync([Body] ScreenerRequest request, CancellationToken cancellationToken);
}
