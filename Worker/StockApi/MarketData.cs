using System.Globalization;
using Microsoft.Extensions.Options;

namespace KrxSignal.Worker.StockApi;

/// <summary>A value the poll stage obtained, with when it was fetched; it may be served stale.</summary>
public sealed record Fetched<T>(T Value, DateTimeOffset FetchedAt)
{
    public TimeSpan AgeAt(DateTimeOffset now) => now - FetchedAt;

    /// <summary>
    /// The one freshness rule: older than StockApi:MaxStaleAge counts as missing. Only StockApi/ asks it (the fetcher
    /// before serving a stale value, <see cref="MarketData"/> for every consumer).
    /// </summary>
    public bool IsUsableAt(DateTimeOffset now, TimeSpan maxStaleAge) => AgeAt(now) <= maxStaleAge;
}

/// <summary>An endpoint's latest value as a consumer may use it now: the value, or why there is none.</summary>
/// <param name="Value">Null when never fetched, or older than StockApi:MaxStaleAge.</param>
/// <param name="FetchedAt">When the latest value was fetched (a stale one keeps its own time); null when never fetched.</param>
/// <param name="Problem">"portfolio missing (not fetched yet)", "portfolio 45 min old, limit 30 min"; null when usable.</param>
public sealed record MarketReading<T>(T? Value, DateTimeOffset? FetchedAt, string? Problem)
    where T : class;

/// <summary>
/// The latest good answer of each endpoint, published by the poll stage and read by the models (ticker sentiment,
/// screener rank) and the signal step (holdings). It alone judges freshness: a value older than
/// StockApi:MaxStaleAge counts as missing, so downstream steps say so rather than act on it. One instance per process.
/// </summary>
public sealed class MarketData(IOptions<StockApiOptions> options, TimeProvider time)
{
    private volatile Fetched<Portfolio>? _portfolio;
    private volatile Fetched<NewsSentiment>? _news;
    private volatile Fetched<ScreenerResult>? _screener;

    public MarketReading<Portfolio> Portfolio => Read(_portfolio, StockApiEndpoint.Portfolio);

    public MarketReading<NewsSentiment> News => Read(_news, StockApiEndpoint.NewsSentiment);

    public MarketReading<ScreenerResult> Screener => Read(_screener, StockApiEndpoint.Screener);

    public void Publish(Fetched<Portfolio> portfolio) => _portfolio = portfolio;

    public void Publish(Fetched<NewsSentiment> news) => _news = news;

    public void Publish(Fetched<ScreenerResult> screener) => _screener = screener;

    private MarketReading<T> Read<T>(Fetched<T>? fetched, string endpoint)
        where T : class
    {
        if (fetched is null)
        {
            return new MarketReading<T>(null, null, $"{endpoint} missing (not fetched yet)");
        }

        var now = time.GetUtcNow();
        var limit = options.Value.MaxStaleAge;
        return fetched.IsUsableAt(now, limit)
            ? new MarketReading<T>(fetched.Value, fetched.FetchedAt, null)
            : new MarketReading<T>(null, fetched.FetchedAt, string.Create(CultureInfo.InvariantCulture, $"{endpoint} {fetched.AgeAt(now).TotalMinutes:0} min old, limit {limit.TotalMinutes:0} min"));
    }
}
