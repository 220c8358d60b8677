using System.Globalization;
using System.Text.Json;
using KrxSignal.Worker.Replay;
using KrxSignal.Worker.StockApi;

namespace KrxSignal.SampleDayGenerator;

/// <summary>
/// Builds a synthetic but realistic recording of one trading day, as the daemon with its default
/// settings would have recorded it: the portfolio and the screener at every poll, the news every five
/// minutes (its cache lifetime), some 429s, a five-minute outage and one malformed answer.
/// Deterministic for a given seed.
/// </summary>
internal sealed class SampleDay(IReadOnlyList<DateTimeOffset> pollTimes, int seed)
{
    private static readonly TimeSpan Kst = TimeSpan.FromHours(9);
    private static readonly JsonSerializerOptions Json = new() { DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull };
    private readonly List<DateTimeOffset> _pollInstants = pollTimes.Select(t => t.ToOffset(Kst)).ToList();
    private readonly Random _random = new(seed);
    private readonly List<Article> _articles = [];
    private readonly Dictionary<string, decimal> _prices = Newsroom.Stocks.ToDictionary(s => s.Ticker, _ => 0m);

    public IEnumerable<ReplayRecord> Generate()
    {
        var day = _pollInstants[0].ToOffset(Kst).Date;
        var outageStart = new DateTimeOffset(day.AddHours(11), Kst);
        var outageEnd = outageStart.AddMinutes(5);
        var malformedAt = new DateTimeOffset(day.AddHours(13).AddMinutes(37), Kst);
        SeedPrices();
        var nextArticleAt = new DateTimeOffset(day.AddHours(6).AddMinutes(40), Kst);
        var lastNewsFetch = DateTimeOffset.MinValue;

        foreach (var instant in _pollInstants)
        {
            while (nextArticleAt <= instant)
            {
                _articles.Add(NewArticle(_articles.Count + 1, nextArticleAt));
                nextArticleAt = nextArticleAt.AddMinutes(IsRegularHours(nextArticleAt) ? _random.Next(8, 18) : _random.Next(20, 45));
            }

            MovePrices();
            var inOutage = instant >= outageStart && instant < outageEnd;
            foreach (var record in Exchanges("portfolio", instant, inOutage, () => Portfolio(instant)))
            {
                yield return record;
            }

            if (instant - lastNewsFetch >= TimeSpan.FromMinutes(5))
            {
                lastNewsFetch = instant;
                foreach (var record in Exchanges("news-sentiment", instant.AddMilliseconds(40), inOutage, () => News(instant)))
                {
                    yield return record;
                }
            }

            if (instant == malformedAt)
            {
                // A truncated answer: the stream was cut mid-body.
                yield return new ReplayRecord { Time = instant.AddMilliseconds(80), Endpoint = "screener", Status = 200, LatencyMs = 310, BodyText = """{"mode":"preview","run_at":"2026-1""" };
                continue;
            }

            foreach (var record in Exchanges("screener", instant.AddMilliseconds(80), inOutage, () => Screener(instant)))
            {
                yield return record;
            }
        }
    }

    private IEnumerable<ReplayRecord> Exchanges(string endpoint, DateTimeOffset at, bool inOutage, Func<object> body)
    {
        if (inOutage)
        {
            // The NAS is down: the first attempt and every retry (1 s, 2 s, 4 s later) fail to connect.
            var offset = 0.0;
            foreach (var wait in new[] { 0, 1, 2, 4 })
            {
                offset += wait;
                yield return new ReplayRecord { Time = at.AddSeconds(offset), Endpoint = endpoint, Failure = ReplayRecord.Failures.Connection, LatencyMs = 3 };
            }

            yield break;
        }

        if (_random.NextDouble() < 0.012)
        {
            // Rate limited: the upstream asks for a short pause, then answers.
            yield return new ReplayRecord { Time = at, Endpoint = endpoint, Status = 429, RetryAfter = "2", LatencyMs = 12, Body = Element(new { detail = "rate limit exceeded" }) };
            at = at.AddSeconds(2);
        }

        yield return new ReplayRecord { Time = at, Endpoint = endpoint, Status = 200, LatencyMs = _random.Next(60, 400), Body = Element(body()) };
    }

    private Article NewArticle(int number, DateTimeOffset at)
    {
        var roll = _random.NextDouble();
        if (roll < 0.12)
        {
            return new Article($"n-{number:0000}", Pick(Newsroom.Unmatched), at, null, "시장 전반 동향 기사", Pick(Newsroom.Sources), $"https://news.example/{number}", Math.Round(_random.NextDouble() - 0.5, 2));
        }

        var stock = Newsroom.Stocks[_random.Next(Newsroom.Stocks.Length)];
        var positive = _random.NextDouble() < 0.55;
        var english = _random.NextDouble() < 0.3;
        var template = english
            ? Pick(positive ? Newsroom.PositiveEnglish : Newsroom.NegativeEnglish)
            : Pick(positive ? Newsroom.PositiveKorean : Newsroom.NegativeKorean);
        var name = english ? stock.English : stock.Name;
        var title = string.Format(CultureInfo.InvariantCulture, template, name);
        var sentiment = Math.Round((positive ? 1 : -1) * (0.35 + (_random.NextDouble() * 0.6)), 2);
        var summary = english ? null : $"{stock.Name} 관련 시장 반응 정리";
        return new Article($"n-{number:0000}", title, at, stock.Ticker, summary, Pick(Newsroom.Sources), $"https://news.example/{number}", sentiment);
    }

    private Portfolio Portfolio(DateTimeOffset at)
    {
        var holdings = Newsroom.Held.Select(ticker =>
        {
            var stock = Newsroom.Stocks.First(s => s.Ticker == ticker);
            var average = decimal.Round(_prices[ticker] * 0.97m, 0);
            const long quantity = 40;
            return new Holding(ticker, stock.Name, quantity, average, _prices[ticker], Math.Round((double)((_prices[ticker] / average) - 1) * 100, 2), (long)(_prices[ticker] * quantity));
        }).ToList();
        var invested = holdings.Sum(h => h.MarketValue ?? 0);
        return new Portfolio(at.AddSeconds(-1), 12_500_000, 12_500_000 + invested, holdings);
    }

    private NewsSentiment News(DateTimeOffset at)
    {
        var tickers = _articles.Where(a => a.Ticker is not null).GroupBy(a => a.Ticker!).Select(g => new TickerSentiment(
            g.Key,
            Math.Round(g.Average(a => a.Sentiment ?? 0), 2),
            g.Count(),
            Newsroom.Stocks.First(s => s.Ticker == g.Key).Name,
            g.Count(a => a.Sentiment > 0.1),
            g.Count(a => a.Sentiment < -0.1),
            g.Count(a => a.Sentiment is >= -0.1 and <= 0.1))).OrderBy(t => t.Ticker, StringComparer.Ordinal).ToList();
        return new NewsSentiment(DateOnly.FromDateTime(at.ToOffset(Kst).Date), at.AddSeconds(-5), tickers, _articles.ToList());
    }

    private ScreenerResult Screener(DateTimeOffset at) => new("preview", at, Newsroom.Stocks
        .Select(s => (s.Ticker, s.Name, Score: Math.Round(50 + (_random.NextDouble() * 45), 1)))
        .OrderByDescending(s => s.Score)
        .Take(5)
        .Select((s, i) => new ScreenerRow(i + 1, s.Ticker, s.Score, s.Name, null, (double)_prices[s.Ticker], Math.Round((_random.NextDouble() * 6) - 3, 2)))
        .ToList());

    private void SeedPrices()
    {
        decimal[] starts = [74_100, 182_000, 205_500, 241_000, 312_000, 41_250, 178_400];
        for (var i = 0; i < Newsroom.Stocks.Length; i++)
        {
            _prices[Newsroom.Stocks[i].Ticker] = starts[i];
        }
    }

    private void MovePrices()
    {
        foreach (var ticker in _prices.Keys.ToList())
        {
            var step = (decimal)((_random.NextDouble() - 0.5) * 0.004);
            _prices[ticker] = decimal.Round(_prices[ticker] * (1 + step), 0);
        }
    }

    private static bool IsRegularHours(DateTimeOffset at) => at.ToOffset(Kst).Hour is >= 9 and < 16;

    private string Pick(string[] options) => options[_random.Next(options.Length)];

    private static JsonElement Element(object value) => JsonSerializer.SerializeToElement(value, value.GetType(), Json);
}
