namespace KrxSignal.Worker.StockApi;

/// <summary>The endpoint names used in snapshots.endpoint, the heartbeat and the logs (a contract with replay).</summary>
internal static class StockApiEndpoint
{
    public const string Portfolio = "portfolio";
    public const string NewsSentiment = "news-sentiment";
    public const string Screener = "screener";
}
