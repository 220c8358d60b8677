using KrxSignal.Worker.StockApi;

namespace KrxSignal.Worker.Signals;

/// <summary>
/// The company name for a code, from what the upstream last sent: the portfolio (held stocks), the screener and
/// the news sentiment's tickers, in that order. Articles carry no name.
/// </summary>
public static class CompanyNames
{
    public static string? Find(MarketData market, string ticker)
    {
        var name = market.Portfolio?.Value.Holdings.FirstOrDefault(h => h.Ticker == ticker)?.Name
            ?? market.Screener?.Value.Results.FirstOrDefault(r => r.Ticker == ticker)?.Name
            ?? market.News?.Value.Tickers.FirstOrDefault(t => t.Ticker == ticker)?.Name;
        return TextExcerpt.Of(name, 60);
    }
}
