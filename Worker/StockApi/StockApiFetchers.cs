using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using KrxSignal.Worker.Calendar;

namespace KrxSignal.Worker.StockApi;

/// <summary>The three endpoints, each with its own pipeline and cache; one instance per process so caches survive cycles.</summary>
internal sealed class StockApiFetchers(
    StockApiResilience resilience,
    EndpointHealthBoard board,
    IOptions<StockApiOptions> options,
    TimeProvider time,
    ILoggerFactory loggers)
{
    /// <summary>Preview stores nothing upstream, which is what makes retrying the POST safe.</summary>
    public static readonly ScreenerRequest PreviewRequest = new("preview");

    private static readonly string LoggerName = typeof(EndpointFetcher<>).FullName!.Split('`')[0];

    public EndpointFetcher<Portfolio> Portfolio { get; } = new(
        StockApiEndpoint.Portfolio, (api, ct) => api.GetPortfolioAsync(ct), StockApiJsonContext.Default.Portfolio,
        t => t.Portfolio, resilience, board, options, time, loggers.CreateLogger(LoggerName));

    public EndpointFetcher<NewsSentiment> NewsSentiment { get; } = new(
        StockApiEndpoint.NewsSentiment, (api, ct) => api.GetNewsSentimentAsync(KstToday(time), ct), StockApiJsonContext.Default.NewsSentiment,
        t => t.NewsSentiment, resilience, board, options, time, loggers.CreateLogger(LoggerName));

    public EndpointFetcher<ScreenerResult> Screener { get; } = new(
        StockApiEndpoint.Screener, (api, ct) => api.RunScreenerAsync(PreviewRequest, ct), StockApiJsonContext.Default.ScreenerResult,
        t => t.Screener, resilience, board, options, time, loggers.CreateLogger(LoggerName));

    public static string KstToday(TimeProvider time) => Kst.DayOf(time.GetUtcNow());
}
