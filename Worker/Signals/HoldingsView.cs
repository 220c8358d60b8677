using KrxSignal.Worker.StockApi;

namespace KrxSignal.Worker.Signals;

/// <summary>What the latest portfolio says about holdings, and whether it may be trusted at all.</summary>
/// <param name="Held">Tickers held with a positive quantity; null when the portfolio is missing or too old.</param>
/// <param name="Problem">Why the holdings are unknown ("portfolio missing", "portfolio 45 min old, limit 30 min").</param>
public sealed record HoldingsView(IReadOnlySet<string>? Held, string? Problem)
{
    /// <param name="portfolio">As <see cref="MarketData"/> judges it: it alone decides what is too old.</param>
    public static HoldingsView From(MarketReading<Portfolio> portfolio) =>
        portfolio.Value is { } value
            ? new HoldingsView(value.Holdings.Where(h => h.Quantity > 0).Select(h => h.Ticker).ToHashSet(StringComparer.Ordinal), null)
            : new HoldingsView(null, portfolio.Problem);
}
