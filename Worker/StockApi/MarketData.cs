namespace KrxSignal.Worker.StockApi;

/// <summary>A value the poll stage obtained, with when it was fetched; it may be served stale.</summary>
public sealed record Fetched<T>(T Value, DateTimeOffset FetchedAt)
{
    public TimeSpan AgeAt(DateTimeOffset now) => now - FetchedAt;

    /// <summary>Older than StockApi:MaxStaleAge counts as missing: downstream steps must say so rather than act on it.</summary>
    public bool IsUsableAt(DateTimeOffset now, TimeSpan maxStaleAge) => AgeAt(now) <= maxStaleAge;
}

/// <summary>
/// The latest good answer of each endpoint, published by the poll stage and read by the models
/// (ticker sentiment, screener rank) and the signal step (holdings). One instance per process.
/// </summary>
public sealed class MarketData
{
    private volatile Fetched<Portfolio>? _portfolio;
    private volatile Fetched<NewsSentiment>? _news;
    private volatile Fetched<ScreenerResult>? _screener;

    public Fetched<Portfolio>? Portfolio => _portfolio;

    public Fetched<NewsSentiment>? News => _news;

    public Fetched<ScreenerResult>? Screener => _screener;

    public void Publish(Fetched<Portfolio> portfolio) => _portfolio = portfolio;

    public void Publish(Fetched<NewsSentiment> news) => _news = news;

    public void Publish(Fetched<ScreenerResult> screener) => _screener = screener;
}
