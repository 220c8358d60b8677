using KrxSignal.Worker.StockApi;

namespace KrxSignal.Worker.Signals;

/// <summary>
/// The company name for a code, from what the upstream last sent: the portfolio (held stocks), the screener and
/// the news sentiment's tickers, in that order. Articles carry no name.
/// </summary>
public static class CompanyNames
{
    public static string? Find(string ticker, Portfolio? portfolio, ScreenerResult? screener, NewsSentiment? news)
    {
        var name = portfolio?.Holdings.FirstOrDefault(h => h.Ticker == ticker)?.Name
            ?? screener?.Results.FirstOrDefault(r => r.Ticker == ticker)?.Name
            ?? news?.Tickers.FirstOrDefault(t => t.Ticker == ticker)?.Name;
        return TextExcerpt.Of(name, 60);
    }
}
