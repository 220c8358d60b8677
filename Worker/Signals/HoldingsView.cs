using System.Globalization;
using KrxSignal.Worker.StockApi;

namespace KrxSignal.Worker.Signals;

/// <summary>What the latest portfolio says about holdings, and whether it may be trusted at all.</summary>
/// <param name="Held">Tickers held with a positive quantity; null when the portfolio is missing or too old.</param>
/// <param name="Problem">Why the holdings are unknown ("portfolio missing", "portfolio 45 min old, limit 30 min").</param>
public sealed record HoldingsView(IReadOnlySet<string>? Held, string? Problem)
{
    public static HoldingsView From(Fetched<Portfolio>? portfolio, DateTimeOffset now, TimeSpan maxStaleAge)
    {
        if (portfolio is null)
        {
            return new HoldingsView(null, "portfolio missing (not fetched yet)");
        }

        if (!portfolio.IsUsableAt(now, maxStaleAge))
        {
            var age = portfolio.AgeAt(now);
            return new HoldingsView(null, string.Create(CultureInfo.InvariantCulture, $"portfolio {age.TotalMinutes:0} min old, limit {maxStaleAge.TotalMinutes:0} min"));
        }

        var held = portfolio.Value.Holdings.Where(h => h.Quantity > 0).Select(h => h.Ticker).ToHashSet(StringComparer.Ordinal);
        return new HoldingsView(held, null);
    }
}
